"""Quote arithmetic: pure, no database."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from app.assembly.pricing import LineInput, price_quote, round_money

D = Decimal


def test_worked_example_rounds_half_up_at_each_step() -> None:
    totals = price_quote(
        [LineInput(1, D("15910"), D("15")), LineInput(2, D("24600")), LineInput(1, D("950.00"))],
        currency="GBP",
        discount_percent=D("5"),
        tax_rate_percent=D("20"),
    )
    assert [line.amount for line in totals.lines] == [D("13523.50"), D("49200.00"), D("950.00")]
    assert totals.subtotal == D("63673.50")
    assert totals.discount == D("3183.68")  # 3,183.675 rounds half-up
    assert totals.net == D("60489.82")
    assert totals.tax == D("12097.96")  # 12,097.964
    assert totals.total == D("72587.78")


def test_minor_units_come_from_the_currency() -> None:
    assert round_money(D("1234.5"), "JPY") == D("1235")
    assert round_money(D("0.125"), "EUR") == D("0.13")
    assert round_money(D("1.0005"), "BHD") == D("1.001")  # three minor digits


def test_line_discount_is_shown_as_difference_to_gross() -> None:
    [line] = price_quote([LineInput(3, D("33.33"), D("10"))], currency="EUR").lines
    assert line.gross == D("99.99")
    assert line.amount == D("89.99")  # 89.991
    assert line.discount == D("10.00")


money = st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False, allow_infinity=False)
percent = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)
lines = st.lists(
    st.builds(LineInput, st.integers(min_value=1, max_value=1000), money, percent),
    min_size=1,
    max_size=20,
)


@given(lines=lines, header=percent, tax=percent)
def test_totals_add_up_and_never_go_negative(
    lines: list[LineInput], header: Decimal, tax: Decimal
) -> None:
    totals = price_quote(lines, currency="EUR", discount_percent=header, tax_rate_percent=tax)
    assert totals.subtotal == sum((line.amount for line in totals.lines), D(0))
    assert totals.net == totals.subtotal - totals.discount
    assert totals.total == totals.net + totals.tax
    for line in totals.lines:
        assert D(0) <= line.amount <= line.gross
    assert D(0) <= totals.discount <= totals.subtotal
    for amount in (totals.subtotal, totals.discount, totals.tax, totals.total):
        assert amount == amount.quantize(D("0.01"))
