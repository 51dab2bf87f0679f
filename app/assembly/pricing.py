"""Quote arithmetic, in Decimal, rounded half-up to the currency's minor unit.

line amount = quantity x unit price, less its discount (a percent, or an amount off the
line), rounded; subtotal = sum of line amounts; discount = header discount (a percent of the
subtotal, or an amount), rounded; net = subtotal - discount. A discount never takes a line
or the subtotal below zero: an amount larger than what it discounts is refused before
pricing (`discount_problems`).

Tax is charged by rate: each line carries its own rate (or the document's). The header
discount is shared over the lines in proportion to their amounts (largest remainder, so
the shares add up to the discount exactly); the tax of each rate is that rate applied to
the sum of its lines' nets, rounded once; and each rate's tax is shared over its lines the
same way. So every line has a net, a tax and a gross that add up to the document's totals,
and a document with one rate is taxed exactly as round(net x rate).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from functools import cache
from typing import NamedTuple

from babel.numbers import get_currency_precision

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class LineInput:
    quantity: int
    unit_price: Decimal
    discount_percent: Decimal = Decimal(0)
    discount_amount: Decimal = Decimal(0)
    tax_rate_percent: Decimal | None = None
    """The line's own rate; None takes the document's."""


class PricedLine(NamedTuple):
    """A priced line (a tuple: a licence's schedule prices thousands of them)."""

    quantity: int
    unit_price: Decimal
    discount_percent: Decimal
    gross: Decimal
    discount: Decimal
    amount: Decimal
    """After the line's own discount."""
    net: Decimal = Decimal(0)
    """After its share of the header discount too: what is taxed."""
    tax_rate_percent: Decimal = Decimal(0)
    tax: Decimal = Decimal(0)

    @property
    def total(self) -> Decimal:
        return self.net + self.tax


@dataclass(frozen=True)
class TaxBand:
    """What one rate charges on a document: the nets of its lines and their tax."""

    rate_percent: Decimal
    net: Decimal
    tax: Decimal


@dataclass(frozen=True)
class Totals:
    currency: str
    lines: tuple[PricedLine, ...]
    subtotal: Decimal
    discount: Decimal
    net: Decimal
    tax_rate_percent: Decimal
    tax: Decimal
    total: Decimal
    bands: tuple[TaxBand, ...] = ()

    def as_strings(self) -> dict[str, str]:
        return {
            "subtotal": str(self.subtotal),
            "discount": str(self.discount),
            "tax": str(self.tax),
            "total": str(self.total),
        }


@cache
def minor_unit(currency: str) -> Decimal:
    """The currency's smallest amount: 0.01 for EUR, 1 for JPY, 0.001 for BHD."""
    return Decimal(1).scaleb(-get_currency_precision(currency))


def round_money(amount: Decimal, currency: str) -> Decimal:
    return amount.quantize(minor_unit(currency), rounding=ROUND_HALF_UP)


def apply_uplift(amount: Decimal, percent: Decimal, currency: str) -> Decimal:
    """A price one year on: raised by the percent, rounded half-up to the minor unit."""
    return round_money(amount * (HUNDRED + percent) / HUNDRED, currency)


def allocate(total: Decimal, weights: list[Decimal], currency: str) -> list[Decimal]:
    """`total` shared over `weights` in proportion, in the currency's minor units, by the
    largest remainder: the shares always add up to `total` exactly (ties go to the
    earlier weight)."""
    base = sum(weights, Decimal(0))
    if not base or not total:
        return [Decimal(0) * w for w in weights]
    quantum = minor_unit(currency)
    units = int((round_money(total, currency) / quantum).to_integral_value())
    if base < 0:
        units, base, weights = -units, -base, [-w for w in weights]
        return [-share for share in allocate_units(units, base, weights, quantum)]
    return allocate_units(units, base, weights, quantum)


def allocate_units(
    units: int, base: Decimal, weights: list[Decimal], quantum: Decimal
) -> list[Decimal]:
    """`units` minor units shared over `weights` (summing to `base` > 0): each its floor
    share, then one more unit each to the largest remainders. Exact: no division rounds."""
    numerators = [units * w for w in weights]
    shares = [int((n / base).to_integral_value(rounding=ROUND_FLOOR)) for n in numerators]
    remainders = [n - share * base for n, share in zip(numerators, shares, strict=True)]
    left = units - sum(shares)
    if left:
        largest = sorted(range(len(weights)), key=remainders.__getitem__, reverse=True)
        for i in sorted(largest[:left]):
            shares[i] += 1
    return [share * quantum for share in shares]


def tidy_price(amount: Decimal, currency: str) -> Decimal:
    """A unit price with at least the currency's minor digits and no trailing zeros past
    them: 15910.0000 -> 15910.00, 0.1250 -> 0.125."""
    minor = get_currency_precision(currency)
    normal = amount.normalize()
    exponent = normal.as_tuple().exponent
    if isinstance(exponent, int) and -exponent < minor:
        return normal.quantize(Decimal(1).scaleb(-minor))
    return normal


def _amounts(line: LineInput, quantum: Decimal) -> tuple[Decimal, Decimal]:
    """A line's gross and its amount after its own discount."""
    gross = (line.unit_price * line.quantity).quantize(quantum, rounding=ROUND_HALF_UP)
    if line.discount_amount:
        off = line.discount_amount.quantize(quantum, rounding=ROUND_HALF_UP)
        return gross, gross - min(off, gross)
    if not line.discount_percent:
        return gross, gross
    amount = line.unit_price * line.quantity * (HUNDRED - line.discount_percent) / HUNDRED
    return gross, amount.quantize(quantum, rounding=ROUND_HALF_UP)


def price_line(line: LineInput, currency: str) -> PricedLine:
    gross, amount = _amounts(line, minor_unit(currency))
    return PricedLine(
        quantity=line.quantity,
        unit_price=line.unit_price,
        discount_percent=line.discount_percent,
        gross=gross,
        discount=gross - amount,
        amount=amount,
    )


def price_quote(
    lines: list[LineInput],
    *,
    currency: str,
    discount_percent: Decimal = Decimal(0),
    discount_amount: Decimal = Decimal(0),
    tax_rate_percent: Decimal = Decimal(0),
) -> Totals:
    quantum = minor_unit(currency)
    amounts = [_amounts(line, quantum) for line in lines]
    subtotal = round_money(sum((amount for _, amount in amounts), Decimal(0)), currency)
    if discount_amount:
        discount = min(round_money(discount_amount, currency), subtotal)
    else:
        discount = round_money(subtotal * discount_percent / HUNDRED, currency)
    net = subtotal - discount
    rates = [
        tax_rate_percent if line.tax_rate_percent is None else line.tax_rate_percent
        for line in lines
    ]
    shares = allocate(discount, [amount for _, amount in amounts], currency)
    nets = [amount - share for (_, amount), share in zip(amounts, shares, strict=True)]
    taxes = [Decimal(0)] * len(lines)
    bands = []
    for rate in sorted(set(rates), reverse=True):
        members = [i for i, r in enumerate(rates) if r == rate]
        band_net = sum((nets[i] for i in members), Decimal(0))
        band_tax = round_money(band_net * rate / HUNDRED, currency)
        shares_of_tax = allocate(band_tax, [nets[i] for i in members], currency)
        for i, tax in zip(members, shares_of_tax, strict=True):
            taxes[i] = tax
        bands.append(TaxBand(rate, band_net, band_tax))
    tax = sum((band.tax for band in bands), Decimal(0))
    return Totals(
        currency=currency,
        lines=tuple(
            PricedLine(
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount_percent=line.discount_percent,
                gross=gross,
                discount=gross - amount,
                amount=amount,
                net=line_net,
                tax_rate_percent=rate,
                tax=line_tax,
            )
            for line, (gross, amount), line_net, rate, line_tax in zip(
                lines, amounts, nets, rates, taxes, strict=True
            )
        ),
        subtotal=subtotal,
        discount=discount,
        net=net,
        tax_rate_percent=tax_rate_percent,
        tax=tax,
        total=net + tax,
        bands=tuple(bands),
    )


def largest_discount_percent(totals: Totals) -> Decimal:
    """The deepest discount of a priced document as a percent, on any line or the header,
    whether it was given as a percent or an amount (what an approval matrix judges)."""
    shares = [(line.discount, line.gross) for line in totals.lines]
    shares.append((totals.discount, totals.subtotal))
    return max(
        (discount * HUNDRED / base for discount, base in shares if base),
        default=Decimal(0),
    ).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def discount_problems(
    lines: list[LineInput],
    *,
    currency: str,
    discount_amount: Decimal = Decimal(0),
) -> list[tuple[int | None, str]]:
    """Discount amounts larger than what they discount, as (line index or None for the
    header, reason): a discount never makes a line or a document negative."""
    problems: list[tuple[int | None, str]] = []
    for index, line in enumerate(lines):
        gross = round_money(line.unit_price * line.quantity, currency)
        if line.discount_amount and round_money(line.discount_amount, currency) > gross:
            problems.append(
                (index, f"the discount {line.discount_amount} is more than the line's {gross}")
            )
    if discount_amount and not problems:
        subtotal = price_quote(lines, currency=currency).subtotal
        if round_money(discount_amount, currency) > subtotal:
            problems.append(
                (None, f"the discount {discount_amount} is more than the subtotal {subtotal}")
            )
    return problems
