"""The effective discount, against a computation of its own made here: exact fractions
straight from the list prices and the discounts as a person would compound them."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from app.assembly.effective_discount import DiscountLine, effective_discount
from app.assembly.pricing import LineInput, price_quote

money = st.decimals(min_value=100, max_value=100_000, places=2)
percent = st.decimals(min_value=0, max_value=100, places=2)


@st.composite
def a_line(draw: st.DrawFn) -> tuple[int, Decimal, Decimal, Decimal]:
    """(quantity, list price, price charged, line discount percent)."""
    listed = draw(money)
    charged = draw(
        st.one_of(
            st.just(listed),
            st.just(Decimal("0.00")),
            st.decimals(min_value=0, max_value=listed * 2, places=2),
        )
    )
    return draw(st.integers(1, 20)), listed, charged, draw(percent)


def _expected(listed: Decimal, charged: Decimal, line: Decimal, header: Decimal) -> Fraction:
    kept = Fraction(charged) / Fraction(listed)
    kept *= 1 - Fraction(line) / 100
    kept *= 1 - Fraction(header) / 100
    return (1 - kept) * 100


@settings(max_examples=300, deadline=None)
@given(st.lists(a_line(), min_size=1, max_size=6), percent)
def test_the_effective_discount_is_what_the_customer_gets_off_list(
    lines: list[tuple[int, Decimal, Decimal, Decimal]], header: Decimal
) -> None:
    totals = price_quote(
        [LineInput(qty, charged, pct) for qty, _, charged, pct in lines],
        currency="EUR",
        discount_percent=header,
    )
    found = effective_discount(
        [
            DiscountLine(qty, charged, listed, priced.amount)
            for (qty, listed, charged, _), priced in zip(lines, totals.lines, strict=True)
        ],
        subtotal=totals.subtotal,
        header_discount=totals.discount,
    )
    # cents of rounding on amounts of 100 or more move a percent by far less than 0.01
    tolerance = Fraction(2, 100)
    per_line = [_expected(listed, charged, pct, header) for _, listed, charged, pct in lines]
    for got, want in zip(found.line_percents, per_line, strict=True):
        assert got is not None and abs(Fraction(got) - want) <= tolerance
    reference = sum(Fraction(listed) * qty for qty, listed, _, _ in lines)
    paid = sum(
        Fraction(charged) * qty * (1 - Fraction(pct) / 100) * (1 - Fraction(header) / 100)
        for qty, _, charged, pct in lines
    )
    whole = (1 - paid / reference) * 100
    assert abs(Fraction(found.document_percent) - whole) <= tolerance
    assert abs(Fraction(found.percent) - max([whole, *per_line])) <= tolerance
    if found.line is not None:
        assert found.percent == found.line_percents[found.line - 1]


def test_ten_and_ten_is_nineteen() -> None:
    totals = price_quote(
        [LineInput(1, Decimal("1000"), Decimal(10))], currency="EUR", discount_percent=Decimal(10)
    )
    found = effective_discount(
        [DiscountLine(1, Decimal("1000"), Decimal("1000"), totals.lines[0].amount)],
        subtotal=totals.subtotal,
        header_discount=totals.discount,
    )
    assert found.percent == Decimal("19.00")


def test_an_amendment_that_credits_more_than_it_adds_gives_no_discount_on_what_it_adds() -> None:
    """A price cut on one title (a credit line) beside a title added at list: the amendment's
    subtotal is negative, and the added title is still sold at list, 0 % off."""
    lines = [
        DiscountLine(
            quantity=1, unit_price=Decimal("-500.00"), list_price=None, amount=Decimal("-500.00")
        ),
        DiscountLine(
            quantity=1,
            unit_price=Decimal("300.00"),
            list_price=Decimal("300.00"),
            amount=Decimal("300.00"),
        ),
    ]

    found = effective_discount(lines, subtotal=Decimal("-200.00"), header_discount=Decimal(0))

    assert found.percent == Decimal("0.00")
    assert found.line_percents == (None, Decimal("0.00"))
