"""The contract as amended, period by period: each invoice period's net is what the
licence as signed charged for it plus what each amendment changed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given, settings

from app.assembly.subscription.contract import (
    AddLine,
    Amendment,
    Contract,
    ContractLine,
    ExtendTerm,
    amend,
)
from app.assembly.subscription.history import periods_as_amended
from app.assembly.subscription.invoices import schedule
from tests.assembly.test_subscription import _change, dutch_vat, histories, licence, no_tax

D = Decimal


def test_each_period_names_what_the_licence_charged_and_what_each_amendment_changed() -> None:
    original = licence()
    title = ContractLine("issn:1476-4687", "Nature", 1, D("1450.00"), source="A1")
    first = amend(original, Amendment("A1", date(2027, 7, 1), (AddLine(title),)))
    second = amend(first, Amendment("A2", date(2029, 1, 1), (ExtendTerm(date(2030, 12, 31)),)))
    periods = periods_as_amended(original, [("A1", first), ("A2", second)], no_tax)
    assert [(p.invoice.period.start, p.original_net, p.changes) for p in periods] == [
        (date(2027, 1, 1), D("10000.00"), (("A1", D("730.96")),)),
        (date(2028, 1, 1), D("10500.00"), (("A1", D("1522.50")),)),
        (date(2029, 1, 1), D("11025.00"), (("A1", D("1598.63")),)),
        # the year the extension adds: both lines a year on, with the uplift
        (date(2030, 1, 1), D(0), (("A2", D("11576.25") + D("1678.56")),)),
    ]
    assert [p.invoice for p in periods] == schedule(second, no_tax)


@settings(max_examples=100, deadline=None)
@given(history=histories())
def test_a_periods_net_is_its_original_net_plus_every_change(
    history: tuple[Contract, list[tuple[str, date, object]]],
) -> None:
    original, events = history
    contract, steps = original, []
    for kind, on, (n, price) in events:  # type: ignore[misc]
        if kind != "cancel":
            contract = _change(contract, kind, on, n, price)
            steps.append((f"AM{n}", contract))
    periods = periods_as_amended(original, steps, dutch_vat)
    assert [p.invoice for p in periods] == schedule(contract, dutch_vat)
    for period in periods:
        changed = sum((net for _, net in period.changes), D(0))
        assert period.invoice.totals.net == period.original_net + changed
