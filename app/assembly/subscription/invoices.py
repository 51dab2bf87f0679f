"""What each invoice period of a contract is invoiced, line by line, and what an
amendment or a cancellation changes in a period already invoiced.

Rounding, half-up to the currency's minor unit: a line's unit price for a part of a
contract year is the year's unit price times the part, rounded (a whole year is charged
exactly, and the last part of a year charged in full is what is left of the year's price,
so a year invoiced in two periods adds up to it); a period spanning two contract years
adds its parts of each; then each period is priced as any document is (`price_quote`: line
discounts, the header discount shared over the lines, tax per rate shared over its lines),
so a period's lines always add up to its totals. Every invoice is dated on its period's
first day (annual in advance) and taxed at the rates in force on that day."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from app.assembly.pricing import LineInput, Totals, price_quote, round_money
from app.assembly.subscription.contract import ZERO, Contract, ContractLine
from app.assembly.subscription.periods import (
    ONE_DAY,
    Period,
    invoice_periods,
    year_fraction,
    year_parts,
)

RateOf = Callable[[str, date], Decimal]
"""The tax rate (percent) for a tax category on a day, for the invoiced party."""


@dataclass(frozen=True)
class InvoiceLine:
    key: str
    description: str
    sku: str | None
    tax_category: str
    charged: Period
    """The days of the period this line is charged for."""
    quantity: int
    unit_price: Decimal
    discount_percent: Decimal
    amount: Decimal
    """After the line's own discount."""
    net: Decimal
    """After its share of the header discount: what is taxed."""
    tax_rate_percent: Decimal
    tax: Decimal

    @property
    def gross(self) -> Decimal:
        return self.net + self.tax


@dataclass(frozen=True)
class PeriodInvoice:
    number: int
    """1 for the term's first invoice period."""
    period: Period
    lines: tuple[InvoiceLine, ...]
    totals: Totals

    @property
    def invoice_on(self) -> date:
        return self.period.start


def _year_part_price(
    annual: Decimal, days: Period, year: Period, whole: Period, contract: Contract
) -> Decimal:
    """The price of `days` of contract year `year` for a line charged for `whole` of it:
    the annual price for the whole year; what is left of it, for the last part of a year
    the line is charged in full (so a year invoiced in two periods adds up exactly); else
    the annual price times the part of the year, rounded."""
    if days == year:
        return annual
    if whole == year and days.end == year.end:
        before = Period(year.start, days.start - ONE_DAY)
        return annual - round_money(
            annual * year_fraction(before, year, contract.day_count), contract.currency
        )
    return round_money(annual * year_fraction(days, year, contract.day_count), contract.currency)


def _charge(
    contract: Contract, line: ContractLine, period: Period
) -> tuple[Period, Decimal, Decimal] | None:
    """The days a line is charged for in a period, its unit price for them and the part of
    a year they make (by which the line's discount amount is prorated)."""
    active = line.active(contract.term)
    charged = active.overlap(period) if active else None
    if active is None or charged is None:
        return None
    if line.one_off:
        return charged, line.unit_price, Decimal(1)
    price, part = ZERO, ZERO
    for index, days, year in year_parts(contract.term.start, charged):
        annual = line.unit_price_in(index, contract.uplift_percent, contract.currency)
        whole = year.overlap(active)
        assert whole is not None
        price += _year_part_price(annual, days, year, whole, contract)
        part += year_fraction(days, year, contract.day_count)
    return charged, price, part


def _period_part(contract: Contract, period: Period) -> Decimal:
    """The part of a contract year a period makes (a header discount amount is per year)."""
    return sum(
        (
            year_fraction(days, year, contract.day_count)
            for _, days, year in year_parts(contract.term.start, period)
        ),
        ZERO,
    )


def price_period(contract: Contract, number: int, period: Period, rate_of: RateOf) -> PeriodInvoice:
    charges = []
    for line in contract.lines:
        charge = _charge(contract, line, period)
        if charge is not None:
            charges.append((line, *charge))
    currency = contract.currency

    def per_part(amount: Decimal, part: Decimal) -> Decimal:
        return round_money(amount * part, currency) if amount else ZERO

    totals = price_quote(
        [
            LineInput(
                line.quantity,
                price,
                line.discount_percent,
                round_money(line.discount_amount * part, currency)
                if line.discount_amount
                else ZERO,
                rate_of(line.tax_category, period.start),
            )
            for line, _, price, part in charges
        ],
        currency=currency,
        discount_percent=contract.discount_percent,
        discount_amount=round_money(
            contract.discount_amount * _period_part(contract, period), currency
        )
        if contract.discount_amount
        else ZERO,
    )
    return PeriodInvoice(
        number=number,
        period=period,
        lines=tuple(
            InvoiceLine(
                key=line.key,
                description=line.description,
                sku=line.sku,
                tax_category=line.tax_category,
                charged=charged,
                quantity=line.quantity,
                unit_price=price,
                discount_percent=line.discount_percent,
                amount=priced.amount,
                net=priced.net,
                tax_rate_percent=priced.tax_rate_percent,
                tax=priced.tax,
            )
            for (line, charged, price, _), priced in zip(charges, totals.lines, strict=True)
        ),
        totals=totals,
    )


def schedule(contract: Contract, rate_of: RateOf) -> list[PeriodInvoice]:
    """Every invoice period of the term, priced."""
    return [
        price_period(contract, number, period, rate_of)
        for number, period in enumerate(invoice_periods(contract.term, contract.invoice_periods), 1)
    ]


def contract_value(invoices: Iterable[PeriodInvoice]) -> Decimal:
    """What the contract is worth, net of tax: the sum of its invoices' nets."""
    return sum((invoice.totals.net for invoice in invoices), ZERO)


@dataclass(frozen=True)
class Invoiced:
    """What has been invoiced (less credited) for one line of one period so far."""

    description: str
    sku: str | None
    tax_category: str
    tax_rate_percent: Decimal
    net: Decimal
    tax: Decimal


@dataclass(frozen=True)
class Adjustment:
    """A line of an adjustment invoice (above zero) or of a credit note (below)."""

    key: str
    description: str
    sku: str | None
    tax_category: str
    tax_rate_percent: Decimal
    net: Decimal
    tax: Decimal

    @property
    def gross(self) -> Decimal:
        return self.net + self.tax


def adjustments(target: PeriodInvoice | None, invoiced: Mapping[str, Invoiced]) -> list[Adjustment]:
    """What to invoice (or credit) for a period so that what it has been invoiced becomes
    what it is worth now, line by line; `target` None: the period is no longer charged
    (cancelled), so all of it is credited."""
    lines = {line.key: line for line in target.lines} if target else {}
    out = []
    for key in [*lines, *(k for k in invoiced if k not in lines)]:
        now, before = lines.get(key), invoiced.get(key)
        net = (now.net if now else ZERO) - (before.net if before else ZERO)
        tax = (now.tax if now else ZERO) - (before.tax if before else ZERO)
        if net or tax:
            source = now or before
            assert source is not None
            out.append(
                Adjustment(
                    key=key,
                    description=source.description,
                    sku=source.sku,
                    tax_category=source.tax_category,
                    tax_rate_percent=source.tax_rate_percent,
                    net=net,
                    tax=tax,
                )
            )
    return out
