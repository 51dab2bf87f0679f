"""What one line is charged in one invoice period, by contract year and day count.

Rounding, half-up to the currency's minor unit: a whole contract year is charged its
annual price exactly; the last part of a year a line is charged in full is what is left
of the year's price after the earlier part (so a year invoiced in two periods adds up to
it); any other part is the annual price times the part of the year, rounded. A period
spanning two contract years adds its part of each.

A licence of thousands of lines has few distinct spans and prices, so the parts of a span
and the uplifted price of a year are worked out once per schedule (`Charges`)."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from app.assembly.pricing import minor_unit
from app.assembly.subscription.contract import ZERO, Contract, ContractLine
from app.assembly.subscription.periods import ONE_DAY, Period, contract_year, year_fraction

ONE = Decimal(1)


@dataclass(frozen=True)
class _Part:
    year: int
    fraction: Decimal
    """The part of the year charged."""
    before: Decimal | None
    """For the rest of a year charged in full: the part of it charged before."""


@dataclass(frozen=True)
class Charge:
    charged: Period
    unit_price: Decimal
    part: Decimal
    """The part of a year charged (a line's discount amount is prorated by it)."""


class Charges:
    """The charges of one contract's lines, with what they share worked out once."""

    def __init__(self, contract: Contract) -> None:
        self.contract = contract
        self.quantum = minor_unit(contract.currency)
        self.years: list[Period] = []
        while not self.years or self.years[-1].end < contract.term.end:
            self.years.append(contract_year(contract.term.start, len(self.years)))
        self._starts = [year.start for year in self.years]
        self.in_force = [
            (line, active) for line in contract.lines if (active := line.active(contract.term))
        ]
        """Each line charged at all, with the days it is charged for."""
        self._parts: dict[tuple[Period, Period], tuple[_Part, ...]] = {}
        self._prices: dict[tuple[Decimal, int, int], Decimal] = {}

    def year_parts(self, span: Period) -> list[tuple[int, Period, Period]]:
        """Each contract year the span touches: its index, the span's days in it, the year."""
        first = bisect_right(self._starts, span.start) - 1
        out = []
        for index in range(max(first, 0), len(self.years)):
            days = self.years[index].overlap(span)
            if days is None:
                break
            out.append((index, days, self.years[index]))
        return out

    def _parts_of(self, charged: Period, active: Period) -> tuple[_Part, ...]:
        key = (charged, active)
        if key not in self._parts:
            day_count = self.contract.day_count
            parts = []
            for index, days, year in self.year_parts(charged):
                fraction = ONE if days == year else year_fraction(days, year, day_count)
                before = None
                if days != year and days.end == year.end and year.overlap(active) == year:
                    earlier = Period(year.start, days.start - ONE_DAY)
                    before = year_fraction(earlier, year, day_count)
                parts.append(_Part(index, fraction, before))
            self._parts[key] = tuple(parts)
        return self._parts[key]

    def annual(self, line: ContractLine, year: int) -> Decimal:
        key = (line.unit_price, line.priced_year, year)
        if key not in self._prices:
            contract = self.contract
            self._prices[key] = line.unit_price_in(year, contract.uplift_percent, contract.currency)
        return self._prices[key]

    def charge(self, line: ContractLine, active: Period, period: Period) -> Charge | None:
        """What `line`, charged for `active`, is charged in `period`."""
        charged = active.overlap(period)
        if charged is None:
            return None
        if line.one_off:
            return Charge(charged, line.unit_price, ONE)
        price, part = ZERO, ZERO
        for each in self._parts_of(charged, active):
            annual = self.annual(line, each.year)
            if each.fraction == ONE:
                price += annual
            elif each.before is not None:
                price += annual - self._round(annual * each.before)
            else:
                price += self._round(annual * each.fraction)
            part += each.fraction
        return Charge(charged, price, part)

    def period_part(self, period: Period) -> Decimal:
        """The part of a contract year a period makes (a header discount amount is per
        contract year)."""
        return sum(
            (
                year_fraction(days, year, self.contract.day_count)
                for _, days, year in self.year_parts(period)
            ),
            ZERO,
        )

    def _round(self, amount: Decimal) -> Decimal:
        return amount.quantize(self.quantum, rounding=ROUND_HALF_UP)
