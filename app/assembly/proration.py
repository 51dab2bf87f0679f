"""Fees for part of a licence year, by the day count the service is configured with. Pure.

A title added on 1 July to a licence year ending on 31 December is charged for the days
from 1 July to 31 December inclusive: 184 days of 365 under actual/365, of the year's own
length under actual/actual, 180 of 360 under 30/360 (every month counted as 30 days)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from app.assembly.pricing import round_money

DayCount = Literal["actual/365", "actual/actual", "30/360"]
DAY_COUNTS: tuple[DayCount, ...] = ("actual/365", "actual/actual", "30/360")


@dataclass(frozen=True)
class Proration:
    start: date
    end: date
    """The last day charged (inclusive)."""
    days: int
    basis: int
    """The days of a whole year under the day count."""
    amount: Decimal


def days_30_360(start: date, end_inclusive: date) -> int:
    """30/360 (bond basis) from start to the day after end_inclusive."""
    end = end_inclusive + timedelta(days=1)
    d1 = min(start.day, 30)
    d2 = 30 if end.day == 31 and d1 == 30 else end.day
    return 360 * (end.year - start.year) + 30 * (end.month - start.month) + (d2 - d1)


def prorate(
    annual: Decimal,
    *,
    start: date,
    year_start: date,
    year_end: date,
    day_count: DayCount,
    currency: str,
) -> Proration:
    """The part of an annual fee for `start` to `year_end` (both inclusive) of the licence
    year running from `year_start` to `year_end`, rounded half-up to the currency."""
    if not year_start <= start <= year_end:
        raise ValueError(f"{start} is outside the licence year {year_start} to {year_end}")
    if day_count == "30/360":
        days, basis = days_30_360(start, year_end), 360
    else:
        days = (year_end - start).days + 1
        basis = 365 if day_count == "actual/365" else (year_end - year_start).days + 1
    amount = round_money(annual * min(days, basis) / basis, currency)
    return Proration(start=start, end=year_end, days=min(days, basis), basis=basis, amount=amount)
