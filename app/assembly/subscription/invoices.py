"""What each invoice period of a contract is invoiced, line by line, and what an
amendment or a cancellation changes in a period already invoiced.

A line's unit price for a period comes from `charges` (whole contract years exactly, parts
of a year by the day count, rounded half-up to the currency's minor unit); then each period
is priced as any document is (`price_quote`: line discounts, the header discount shared
over the lines, tax per rate shared over its lines), so a period's lines always add up to
its totals. Every invoice is dated on its period's first day (annual in advance) and taxed
at the rates in force on that day."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from app.assembly.pricing import LineInput, Totals, price_quote, round_money
from app.assembly.subscription.charges import Charge, Charges
from app.assembly.subscription.contract import ZERO, Contract, ContractLine
from app.assembly.subscription.periods import Period, invoice_periods

RateOf = Callable[[str, date], Decimal]
"""The tax rate (percent) for a tax category on a day, for the invoiced party."""


class InvoiceLine(NamedTuple):
    """One line of a period's invoice (a tuple: a licence has thousands of them)."""

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


def price_period(charges: Charges, number: int, period: Period, rate_of: RateOf) -> PeriodInvoice:
    contract = charges.contract
    currency = contract.currency
    rates: dict[str, Decimal] = {}
    charged = []
    inputs = []
    for line, active in charges.in_force:
        charge = charges.charge(line, active, period)
        if charge is None:
            continue
        if line.tax_category not in rates:
            rates[line.tax_category] = rate_of(line.tax_category, period.start)
        charged.append((line, charge))
        inputs.append(line_input(line, charge, currency, rates[line.tax_category]))
    totals = price_quote(
        inputs,
        currency=currency,
        discount_percent=contract.discount_percent,
        discount_amount=header_discount(charges, period),
    )
    return PeriodInvoice(
        number=number,
        period=period,
        lines=tuple(
            InvoiceLine(
                line.key,
                line.description,
                line.sku,
                line.tax_category,
                charge.charged,
                line.quantity,
                charge.unit_price,
                line.discount_percent,
                priced.amount,
                priced.net,
                priced.tax_rate_percent,
                priced.tax,
            )
            for (line, charge), priced in zip(charged, totals.lines, strict=True)
        ),
        totals=totals,
    )


def line_input(
    line: ContractLine, charge: Charge, currency: str, rate: Decimal | None = None
) -> LineInput:
    """A line as priced in a period: its charge, its discount (an amount prorated)."""
    return LineInput(
        line.quantity,
        charge.unit_price,
        line.discount_percent,
        _prorated(line.discount_amount, charge.part, currency),
        rate,
    )


def header_discount(charges: Charges, period: Period) -> Decimal:
    """The header discount amount a period takes (the contract's is per contract year)."""
    contract = charges.contract
    return _prorated(contract.discount_amount, charges.period_part(period), contract.currency)


def _prorated(amount: Decimal, part: Decimal, currency: str) -> Decimal:
    return round_money(amount * part, currency) if amount else ZERO


def schedule(contract: Contract, rate_of: RateOf) -> list[PeriodInvoice]:
    """Every invoice period of the term, priced."""
    charges = Charges(contract)
    periods = invoice_periods(contract.term, contract.invoice_periods)
    return [price_period(charges, n, period, rate_of) for n, period in enumerate(periods, 1)]


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
