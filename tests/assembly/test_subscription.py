"""One model of a subscription contract: periods, prices per period, amendments,
extensions, cancellations and renewals, checked as a finance controller would."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from app.assembly.pricing import apply_uplift
from app.assembly.subscription.contract import (
    AddLine,
    Amendment,
    ChangePrice,
    Contract,
    ContractLine,
    EndLine,
    ExtendTerm,
    amend,
    cancel,
    renewal_lines,
)
from app.assembly.subscription.invoices import (
    Invoiced,
    PeriodInvoice,
    adjustments,
    contract_value,
    schedule,
)
from app.assembly.subscription.periods import Period, anniversary, contract_year

D = Decimal


def no_tax(category: str, on: date) -> Decimal:
    return D(0)


def dutch_vat(category: str, on: date) -> Decimal:
    return D(9) if category == "e-publication" else D(21)


def licence(**changes: object) -> Contract:
    base = {
        "term": Period(date(2027, 1, 1), date(2029, 12, 31)),
        "currency": "EUR",
        "lines": (ContractLine("L1", "Journal collection", 1, D("10000.00")),),
        "uplift_percent": D(5),
    }
    return Contract(**{**base, **changes})  # type: ignore[arg-type]


def nets(invoices: list[PeriodInvoice]) -> list[Decimal]:
    return [invoice.totals.net for invoice in invoices]


def test_each_contract_year_takes_the_uplift_on_the_year_before() -> None:
    invoices = schedule(licence(), no_tax)
    assert [i.invoice_on for i in invoices] == [
        date(2027, 1, 1),
        date(2028, 1, 1),
        date(2029, 1, 1),
    ]
    assert nets(invoices) == [D("10000.00"), D("10500.00"), D("11025.00")]
    assert contract_value(invoices) == D("31525.00")


def test_a_title_added_mid_term_is_charged_in_every_later_year_with_the_uplift() -> None:
    title = ContractLine("issn:1476-4687", "Nature", 1, D("1450.00"), tax_category="e-publication")
    amended = amend(licence(), Amendment("A1", date(2027, 7, 1), (AddLine(title),)))
    added = [next(x for x in i.lines if x.key == title.key) for i in schedule(amended, no_tax)]
    # 1,450 x 184/365 = 730.96 for the rest of year 1; then 1,522.50 and 1,598.63
    assert [line.net for line in added] == [D("730.96"), D("1522.50"), D("1598.63")]
    assert added[0].charged == Period(date(2027, 7, 1), date(2027, 12, 31))


def test_calendar_year_invoices_prorate_the_first_and_last_and_add_up_to_each_year() -> None:
    contract = licence(
        term=Period(date(2027, 4, 1), date(2030, 3, 31)), invoice_periods="calendar-years"
    )
    invoices = schedule(contract, no_tax)
    assert [(i.period.start, i.period.end) for i in invoices] == [
        (date(2027, 4, 1), date(2027, 12, 31)),
        (date(2028, 1, 1), date(2028, 12, 31)),
        (date(2029, 1, 1), date(2029, 12, 31)),
        (date(2030, 1, 1), date(2030, 3, 31)),
    ]
    # contract years of 10,000 / 10,500 / 11,025, each split over two calendar years
    assert contract_value(invoices) == D("31525.00")
    assert nets(invoices)[0] == D("7534.25")  # 10,000 x 275/365


def test_tax_is_charged_by_the_rate_of_each_line_on_the_invoice_date() -> None:
    contract = licence(
        lines=(
            ContractLine("J", "E-journals", 1, D("1000.00"), tax_category="e-publication"),
            ContractLine("P", "Platform fee", 1, D("500.00")),
        )
    )
    first = schedule(contract, dutch_vat)[0]
    assert [(b.rate_percent, b.net, b.tax) for b in first.totals.bands] == [
        (D(21), D("500.00"), D("105.00")),
        (D(9), D("1000.00"), D("90.00")),
    ]
    assert first.totals.total == sum(line.gross for line in first.lines)


def test_an_extension_is_priced_as_a_further_year_with_its_uplift() -> None:
    extended = amend(
        licence(), Amendment("A1", date(2029, 6, 1), (ExtendTerm(date(2030, 12, 31)),))
    )
    assert nets(schedule(extended, no_tax))[-1] == D("11576.25")


def test_cancelling_credits_only_the_invoiced_time_after_the_date() -> None:
    contract = licence()
    invoiced = ledger(schedule(contract, no_tax)[:1])
    cancelled = cancel(contract, date(2027, 10, 1))
    [first] = schedule(cancelled, no_tax)
    credit = adjustments(first, invoiced[date(2027, 1, 1)])
    # 92 days of 365 left of year 1: 10,000 x 92/365 = 2,520.55
    assert [line.net for line in credit] == [D("-2520.55")]
    assert len(schedule(cancelled, no_tax)) == 1


def test_a_renewal_starts_from_the_last_year_with_the_uplift_and_without_removed_lines() -> None:
    contract = amend(
        licence(lines=(*licence().lines, ContractLine("X", "Archive", 1, D("300.00")))),
        Amendment("A1", date(2028, 3, 1), (EndLine("X"), ChangePrice("L1", D("12000.00")))),
    )
    [line] = renewal_lines(contract)
    # 12,000 from year 2, 12,600 in year 3, 13,230 in the renewal's first year
    assert (line.description, line.unit_price) == ("Journal collection", D("13230.00"))


# --- properties over random contracts and amendment sequences ----------------------------


def ledger(invoices: list[PeriodInvoice]) -> dict[date, dict[str, Invoiced]]:
    return {
        invoice.period.start: {
            line.key: Invoiced(
                line.description,
                line.sku,
                line.tax_category,
                line.tax_rate_percent,
                line.net,
                line.tax,
            )
            for line in invoice.lines
        }
        for invoice in invoices
    }


def book(
    books: dict[date, dict[str, Invoiced]], start: date, invoice: PeriodInvoice | None
) -> Decimal:
    """Invoice or credit a period up to what it is worth now; the net booked."""
    lines = adjustments(invoice, books.get(start, {}))
    period = books.setdefault(start, {})
    for line in lines:
        before = period.get(line.key)
        period[line.key] = Invoiced(
            line.description,
            line.sku,
            line.tax_category,
            line.tax_rate_percent,
            (before.net if before else D(0)) + line.net,
            (before.tax if before else D(0)) + line.tax,
        )
    return sum((line.net for line in lines), D(0))


money = st.decimals(min_value=0, max_value=50_000, places=2)
days = st.integers(min_value=0, max_value=3 * 365)


@st.composite
def contracts(draw: st.DrawFn) -> Contract:
    start = date(2026, 1, 1) + timedelta(days=draw(st.integers(0, 800)))
    years = draw(st.integers(1, 4))
    lines = tuple(
        ContractLine(
            f"L{n}",
            f"Line {n}",
            draw(st.integers(1, 5)),
            draw(money),
            discount_percent=draw(st.sampled_from([D(0), D(10), D("12.5")])),
            tax_category=draw(st.sampled_from(["standard", "e-publication"])),
        )
        for n in range(draw(st.integers(1, 4)))
    )
    return Contract(
        term=Period(start, anniversary(start, years) - timedelta(days=1)),
        currency=draw(st.sampled_from(["EUR", "JPY", "GBP"])),
        lines=lines,
        uplift_percent=draw(st.sampled_from([D(0), D(3), D("4.5")])),
        invoice_periods=draw(st.sampled_from(["contract-years", "calendar-years"])),
        day_count=draw(st.sampled_from(["actual/365", "actual/actual", "30/360"])),
        discount_percent=draw(st.sampled_from([D(0), D(5)])),
    )


@st.composite
def histories(draw: st.DrawFn) -> tuple[Contract, list[tuple[str, date, object]]]:
    contract = draw(contracts())
    events: list[tuple[str, date, object]] = []
    for n in range(draw(st.integers(0, 6))):
        offset = draw(days)
        kind = draw(st.sampled_from(["add", "end", "price", "extend", "cancel", "add-one-off"]))
        events.append((kind, contract.term.start + timedelta(days=offset), (n, draw(money))))
    return contract, sorted(events, key=lambda e: e[1])


def _change(contract: Contract, kind: str, on: date, n: int, price: Decimal) -> Contract:
    recurring = [
        line
        for line in contract.lines
        if not line.one_off and (active := line.active(contract.term)) and active.holds(on)
    ]
    if kind == "cancel":
        return cancel(contract, on) if contract.term.start < on <= contract.term.end else contract
    if not contract.term.holds(on):
        return contract
    if kind in ("add", "add-one-off"):
        line = ContractLine(f"A{n}", f"Added {n}", 1, price, one_off=kind == "add-one-off")
        change: object = AddLine(line)
    elif kind == "extend":
        change = ExtendTerm(contract.term.end + timedelta(days=200 + n))
    elif not recurring:
        return contract
    elif kind == "end":
        change = EndLine(recurring[0].key)
    else:
        change = ChangePrice(recurring[0].key, price)
    return amend(contract, Amendment(f"AM{n}", on, (change,)))  # type: ignore[arg-type]


@settings(max_examples=150, deadline=None)
@given(history=histories())
def test_invoices_less_credits_equal_the_contract_as_amended(
    history: tuple[Contract, list[tuple[str, date, object]]],
) -> None:
    """Each period is invoiced on its date; each change books the difference for the
    periods invoiced already; at the end, what was booked is what the contract is worth."""
    contract, events = history
    books: dict[date, dict[str, Invoiced]] = {}
    for kind, on, (n, price) in events:  # type: ignore[misc]
        for invoice in schedule(contract, dutch_vat):
            if invoice.invoice_on <= on and invoice.period.start not in books:
                book(books, invoice.period.start, invoice)
        contract = _change(contract, kind, on, n, price)
        current = {i.period.start: i for i in schedule(contract, dutch_vat)}
        for start in list(books):
            book(books, start, current.get(start))
    final = schedule(contract, dutch_vat)
    for invoice in final:
        book(books, invoice.period.start, invoice)
        assert invoice.totals.net == sum(line.net for line in invoice.lines)
        assert invoice.totals.total == sum(line.gross for line in invoice.lines)
    booked = sum((line.net for period in books.values() for line in period.values()), D(0))
    assert booked == contract_value(final)


@settings(max_examples=100, deadline=None)
@given(contract=contracts())
def test_a_renewals_first_year_is_the_last_year_with_the_uplift(contract: Contract) -> None:
    last = schedule(contract, no_tax)[-1]
    renewal = Contract(
        term=Period(contract.term.end + timedelta(days=1), contract.term.end + timedelta(days=365)),
        currency=contract.currency,
        lines=tuple(renewal_lines(contract)),
        uplift_percent=contract.uplift_percent,
        discount_percent=contract.discount_percent,
    )
    first = schedule(renewal, no_tax)[0]
    if contract.invoice_periods == "contract-years":
        for before, after in zip(last.lines, first.lines, strict=True):
            assert after.unit_price == apply_uplift(
                before.unit_price, contract.uplift_percent, contract.currency
            )


@settings(max_examples=100, deadline=None)
@given(contract=contracts())
def test_invoicing_by_calendar_year_charges_the_same_as_by_contract_year(
    contract: Contract,
) -> None:
    plain = replace(
        contract,
        discount_percent=D(0),
        lines=tuple(replace(line, discount_percent=D(0)) for line in contract.lines),
    )
    by_year = schedule(replace(plain, invoice_periods="contract-years"), no_tax)
    by_calendar = schedule(replace(plain, invoice_periods="calendar-years"), no_tax)
    assert contract_value(by_calendar) == contract_value(by_year)


@settings(max_examples=60, deadline=None)
@given(history=histories())
def test_a_renewal_of_the_contract_as_amended_starts_from_its_last_year_with_the_uplift(
    history: tuple[Contract, list[tuple[str, date, object]]],
) -> None:
    """Whatever amendments came (lines added, ended, repriced, the term extended), the
    renewal takes exactly the recurring lines in force on the last day, each at its price
    for the last contract year with the uplift once more; where the last contract year is
    invoiced whole, each renewed line's first period is its last period with the uplift."""
    contract, events = history
    for kind, on, (n, price) in events:  # type: ignore[misc]
        if kind != "cancel":  # a cancelled licence is not renewed
            contract = _change(contract, kind, on, n, price)
    end = contract.term.end
    renewed = renewal_lines(contract)
    running = [
        line
        for line in contract.lines
        if not line.one_off and (active := line.active(contract.term)) and active.holds(end)
    ]
    assert [line.key for line in renewed] == [line.key for line in running]
    start = end + timedelta(days=1)
    renewal = replace(
        contract,
        term=Period(start, anniversary(start, 1) - timedelta(days=1)),
        lines=tuple(renewed),
        invoice_periods="contract-years",
        original_end=None,
    )
    first = {line.key: line for line in schedule(renewal, no_tax)[0].lines}
    year = contract.year_of(end)
    for line in running:
        last_price = line.unit_price_in(year, contract.uplift_percent, contract.currency)
        uplifted = apply_uplift(last_price, contract.uplift_percent, contract.currency)
        assert first[line.key].unit_price == uplifted
    last = schedule(replace(contract, invoice_periods="contract-years"), no_tax)[-1]
    if last.period == contract_year(contract.term.start, year):
        for before in last.lines:
            if before.key in first and before.charged == last.period:
                assert first[before.key].unit_price == apply_uplift(
                    before.unit_price, contract.uplift_percent, contract.currency
                )
                assert first[before.key].quantity == before.quantity
                assert first[before.key].discount_percent == before.discount_percent
