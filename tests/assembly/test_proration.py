"""Part-year fees by day count: the figures a finance team checks by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.assembly.pricing import round_money
from app.assembly.proration import DAY_COUNTS, DayCount
from app.assembly.subscription.periods import Period, year_fraction

D = Decimal
YEAR_2027 = Period(date(2027, 1, 1), date(2027, 12, 31))


@pytest.mark.parametrize(
    ("day_count", "fraction", "amount"),
    [
        ("actual/365", D(184) / 365, D("730.96")),  # 1,450 x 184 / 365 = 730.958…
        ("actual/actual", D(184) / 365, D("730.96")),
        ("30/360", D(180) / 360, D("725.00")),
    ],
)
def test_a_title_added_on_1_july_pays_for_the_rest_of_the_licence_year(
    day_count: DayCount, fraction: D, amount: D
) -> None:
    part = year_fraction(Period(date(2027, 7, 1), YEAR_2027.end), YEAR_2027, day_count)
    assert part == fraction
    assert round_money(D("1450.00") * part, "EUR") == amount


def test_a_leap_licence_year_counts_366_days_under_actual_actual() -> None:
    year = Period(date(2028, 1, 1), date(2028, 12, 31))
    part = year_fraction(Period(date(2028, 12, 31), date(2028, 12, 31)), year, "actual/actual")
    assert part == D(1) / 366
    assert round_money(D("3660") * part, "JPY") == D("10")


@given(
    annual=st.decimals(min_value=0, max_value=10**6, places=2),
    offset=st.integers(min_value=0, max_value=364),
    day_count=st.sampled_from(DAY_COUNTS),
)
def test_a_part_year_never_costs_more_than_the_year(
    annual: D, offset: int, day_count: DayCount
) -> None:
    start = date.fromordinal(YEAR_2027.start.toordinal() + offset)
    part = year_fraction(Period(start, YEAR_2027.end), YEAR_2027, day_count)
    assert D(0) < part <= 1
    assert D(0) <= round_money(annual * part, "EUR") <= annual
