"""The contract as amended, invoice period by invoice period: what each period is charged
now, what the licence as signed charged for it, and what each signed amendment changed in
it. Pure.

Each amendment's change to a period is the period's net after it less the period's net
before it, both as `schedule` prices them, so a period's net is always its original net
plus the changes. Periods are matched by their first day: an extension adds periods, and
may lengthen the last one (calendar-year invoicing), but never moves a period's start."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from app.assembly.pricing import LineInput, price_line, price_quote
from app.assembly.subscription.charges import Charge, Charges
from app.assembly.subscription.contract import ZERO, Contract, ContractLine
from app.assembly.subscription.invoices import (
    PeriodInvoice,
    RateOf,
    header_discount,
    line_input,
    schedule,
)
from app.assembly.subscription.periods import invoice_periods


@dataclass(frozen=True)
class AmendedPeriod:
    invoice: PeriodInvoice
    """The period as the contract stands after every amendment."""
    original_net: Decimal
    """What the licence as signed charged for the period (zero for a period an extension
    added)."""
    changes: tuple[tuple[str, Decimal], ...]
    """Each amendment that changed the period's net, with the change."""


def periods_as_amended(
    original: Contract, steps: Sequence[tuple[str, Contract]], rate_of: RateOf
) -> list[AmendedPeriod]:
    """Every invoice period of the contract after the last step (each amendment's number
    with the contract as it left it, as `amended_steps` gives them), with its history."""
    final = steps[-1][1] if steps else original
    nets = _PeriodNets()
    before = original_nets = nets.of(original)
    changes: dict[date, list[tuple[str, Decimal]]] = {}
    for number, contract in steps:
        after = nets.of(contract)
        for start in sorted(after.keys() | before.keys()):
            change = after.get(start, ZERO) - before.get(start, ZERO)
            if change:
                changes.setdefault(start, []).append((number, change))
        before = after
    return [
        AmendedPeriod(
            invoice,
            original_nets.get(invoice.period.start, ZERO),
            tuple(changes.get(invoice.period.start, ())),
        )
        for invoice in schedule(final, rate_of)
    ]


class _PeriodNets:
    """Each invoice period's net of the contracts of one history, as `price_period` has
    it: the sum of its lines' amounts less the header discount on that sum (tax changes no
    net). The contracts share their start, prices and day count and differ only in some
    lines and the term's end, so a line's amount in a period is worked out once for them
    all, found by the line's identity (an amendment keeps the lines it does not change;
    each line is kept alive beside its amounts, so no identity is reused)."""

    def __init__(self) -> None:
        self._amounts: dict[int, tuple[ContractLine, dict[tuple[date, ...], Decimal]]] = {}

    def of(self, contract: Contract) -> dict[date, Decimal]:
        charges = Charges(contract)
        periods = invoice_periods(contract.term, contract.invoice_periods)
        spans = [(p.start, p.end) for p in periods]
        subtotals = [ZERO] * len(periods)
        for line, active in charges.in_force:
            kept = self._amounts.setdefault(id(line), (line, {}))[1]
            for index, span in enumerate(spans):
                key = (active.start, active.end, *span)
                amount = kept.get(key)
                if amount is None:
                    charge = charges.charge(line, active, periods[index])
                    amount = ZERO if charge is None else _amount(line, charge, contract.currency)
                    kept[key] = amount
                subtotals[index] += amount
        return {
            period.start: price_quote(
                [LineInput(1, subtotal)],
                currency=contract.currency,
                discount_percent=contract.discount_percent,
                discount_amount=header_discount(charges, period),
            ).net
            for period, subtotal in zip(periods, subtotals, strict=True)
        }


def _amount(line: ContractLine, charge: Charge, currency: str) -> Decimal:
    return price_line(line_input(line, charge, currency), currency).amount
