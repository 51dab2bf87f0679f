"""Part-year fees by day count: the figures a finance team checks by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.assembly.proration import DAY_COUNTS, DayCount, prorate

D = Decimal


@pytest.mark.parametrize(
    ("day_count", "days", "basis", "amount"),
    [
        ("actual/365", 184, 365, D("730.96")),  # 1,450 x 184 / 365 = 730.958…
        ("actual/actual", 184, 365, D("730.96")),
        ("30/360", 180, 360, D("725.00")),
    ],
)
def test_a_title_added_on_1_july_pays_for_the_rest_of_the_licence_year(
    day_count: DayCount, days: int, basis: int, amount: D
) -> None:
    part = prorate(
        D("1450.00"),
        start=date(2027, 7, 1),
        year_start=date(2027, 1, 1),
        year_end=date(2027, 12, 31),
        day_count=day_count,
        currency="EUR",
    )
    assert (part.days, part.basis, part.amount) == (days, basis, amount)


def test_a_leap_licence_year_counts_366_days_under_actual_actual() -> None:
    part = prorate(
        D("3660"),
        start=date(2028, 12, 31),
        year_start=date(2028, 1, 1),
        year_end=date(2028, 12, 31),
        day_count="actual/actual",
        currency="JPY",
    )
    assert (part.days, part.basis, part.amount) == (1, 366, D("10"))


def test_a_start_outside_the_licence_year_is_refused() -> None:
    with pytest.raises(ValueError, match="outside the licence year"):
        prorate(
            D("100"),
            start=date(2028, 1, 1),
            year_start=date(2027, 1, 1),
            year_end=date(2027, 12, 31),
            day_count="actual/365",
            currency="EUR",
        )


@given(
    annual=st.decimals(min_value=0, max_value=10**6, places=2),
    offset=st.integers(min_value=0, max_value=364),
    day_count=st.sampled_from(DAY_COUNTS),
)
def test_a_part_year_never_costs_more_than_the_year(
    annual: D, offset: int, day_count: DayCount
) -> None:
    year_start = date(2027, 1, 1)
    start = date.fromordinal(year_start.toordinal() + offset)
    part = prorate(
        annual,
        start=start,
        year_start=year_start,
        year_end=date(2027, 12, 31),
        day_count=day_count,
        currency="EUR",
    )
    assert D(0) <= part.amount <= annual
    assert 1 <= part.days <= part.basis
