"""Contract years and invoice periods, and the part of a year a span of days is.

Contract years run from the term's start date (a term starting 1 April has years from
1 April to 31 March); the uplift applies per contract year. Invoice periods are how the
term is invoiced, in advance: by contract year (the default), or by calendar year with a
prorated first and last period. A span's part of its contract year follows the day count:
actual/365, actual/actual (the year's own length) or 30/360; a whole year is exactly 1."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from app.assembly.proration import DayCount, days_30_360

InvoicePeriods = Literal["contract-years", "calendar-years"]
INVOICE_PERIODS: tuple[InvoicePeriods, ...] = ("contract-years", "calendar-years")
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, order=True)
class Period:
    """A span of days, both ends included."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"a period cannot end ({self.end}) before it starts ({self.start})")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def overlap(self, other: Period) -> Period | None:
        if other.start <= self.start and self.end <= other.end:
            return self
        start = self.start if self.start > other.start else other.start
        end = self.end if self.end < other.end else other.end
        return Period(start, end) if start <= end else None

    def holds(self, day: date) -> bool:
        return self.start <= day <= self.end


def anniversary(start: date, years: int) -> date:
    """The same day `years` later (28 February for a 29 February start)."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def contract_year(term_start: date, index: int) -> Period:
    """The whole contract year `index` (0 for the first), whatever the term's end."""
    return Period(anniversary(term_start, index), anniversary(term_start, index + 1) - ONE_DAY)


def contract_years(term: Period) -> Iterator[tuple[int, Period]]:
    """Each contract year's index and its days within the term (a last year cut short by
    an extension of a few months is a part year)."""
    index = 0
    while True:
        year = contract_year(term.start, index)
        if year.start > term.end:
            return
        part = year.overlap(term)
        assert part is not None
        yield index, part
        index += 1


def year_index(term_start: date, day: date) -> int:
    """The contract year a day falls in."""
    index = max(day.year - term_start.year - 1, 0)
    while contract_year(term_start, index).end < day:
        index += 1
    return index


def invoice_periods(term: Period, kind: InvoicePeriods = "contract-years") -> list[Period]:
    if kind == "contract-years":
        return [part for _, part in contract_years(term)]
    periods = []
    start = term.start
    while start <= term.end:
        end = min(date(start.year, 12, 31), term.end)
        periods.append(Period(start, end))
        start = end + ONE_DAY
    return periods


def year_fraction(span: Period, year: Period, day_count: DayCount) -> Decimal:
    """The part of the whole contract year `year` that `span` (within it) is."""
    if span == year:
        return Decimal(1)
    if day_count == "30/360":
        return Decimal(min(days_30_360(span.start, span.end), 360)) / 360
    basis = 365 if day_count == "actual/365" else year.days
    return Decimal(min(span.days, basis)) / basis


def year_parts(term_start: date, span: Period) -> Iterator[tuple[int, Period, Period]]:
    """For each contract year a span touches: its index, the span's days in it, and the
    whole year."""
    index = year_index(term_start, span.start)
    while True:
        year = contract_year(term_start, index)
        part = year.overlap(span)
        if part is None:
            return
        yield index, part, year
        index += 1
