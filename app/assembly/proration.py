"""Day counts: how much of a year a span of days is, as the service is configured. Pure.

A title added on 1 July to a licence year ending on 31 December is charged for the days
from 1 July to 31 December inclusive: 184 days of 365 under actual/365, of the year's own
length under actual/actual, 180 of 360 under 30/360 (every month counted as 30 days)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

DayCount = Literal["actual/365", "actual/actual", "30/360"]
DAY_COUNTS: tuple[DayCount, ...] = ("actual/365", "actual/actual", "30/360")


def days_30_360(start: date, end_inclusive: date) -> int:
    """30/360 (bond basis) from start to the day after end_inclusive."""
    end = end_inclusive + timedelta(days=1)
    d1 = min(start.day, 30)
    d2 = 30 if end.day == 31 and d1 == 30 else end.day
    return 360 * (end.year - start.year) + 30 * (end.month - start.month) + (d2 - d1)
