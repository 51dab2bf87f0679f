"""Quote arithmetic: pure, no database."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from app.assembly.pricing import (
    LineInput,
    allocate,
    discount_problems,
    largest_discount_percent,
    price_quote,
    round_money,
)

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


def test_an_amount_off_a_line_or_the_header_is_taken_as_given() -> None:
    totals = price_quote(
        [LineInput(2, D("100.00"), discount_amount=D("30")), LineInput(1, D("50.00"))],
        currency="EUR",
        discount_amount=D("20"),
        tax_rate_percent=D("21"),
    )
    assert [line.amount for line in totals.lines] == [D("170.00"), D("50.00")]
    assert totals.lines[0].discount == D("30.00")
    assert (totals.subtotal, totals.discount, totals.net) == (D("220.00"), D("20.00"), D("200.00"))
    assert totals.tax == D("42.00")
    assert totals.total == D("242.00")
    # what an approval matrix judges: the deepest discount, here 15 % off the first line
    assert largest_discount_percent(totals) == D("15.00")


def test_a_discount_larger_than_what_it_discounts_is_refused() -> None:
    lines = [LineInput(1, D("100"), discount_amount=D("100.01")), LineInput(1, D("10"))]
    assert discount_problems(lines, currency="EUR") == [
        (0, "the discount 100.01 is more than the line's 100.00")
    ]
    fine = [LineInput(1, D("100"), discount_amount=D("100")), LineInput(1, D("10"))]
    assert discount_problems(fine, currency="EUR", discount_amount=D("10")) == []
    assert discount_problems(fine, currency="EUR", discount_amount=D("10.01")) == [
        (None, "the discount 10.01 is more than the subtotal 10.00")
    ]


def test_yen_has_no_minor_unit() -> None:
    totals = price_quote(
        [LineInput(3, D("333.5"), D("10"))], currency="JPY", tax_rate_percent=D("10")
    )
    assert totals.lines[0].amount == D("900")  # 900.45
    assert (totals.tax, totals.total) == (D("90"), D("990"))


currencies = st.sampled_from(["EUR", "JPY", "GBP", "BHD"])
amounts = st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False)


@st.composite
def line_inputs(draw: st.DrawFn) -> LineInput:
    quantity = draw(st.integers(min_value=1, max_value=500))
    unit_price = draw(money)
    if draw(st.booleans()):
        return LineInput(quantity, unit_price, discount_percent=draw(percent))
    return LineInput(quantity, unit_price, discount_amount=draw(amounts))


@given(
    lines=st.lists(line_inputs(), min_size=1, max_size=15),
    currency=currencies,
    header_percent=percent,
    header_amount=amounts,
    use_amount=st.booleans(),
    tax=percent,
)
def test_any_mix_of_discounts_sums_exactly_and_stays_positive(
    lines: list[LineInput],
    currency: str,
    header_percent: D,
    header_amount: D,
    use_amount: bool,
    tax: D,
) -> None:
    totals = price_quote(
        lines,
        currency=currency,
        discount_percent=D(0) if use_amount else header_percent,
        discount_amount=header_amount if use_amount else D(0),
        tax_rate_percent=tax,
    )
    unit = D(1).scaleb(-{"EUR": 2, "JPY": 0, "GBP": 2, "BHD": 3}[currency])
    # lines sum to the subtotal, and nothing is left unrounded to drift later
    assert totals.subtotal == sum((line.amount for line in totals.lines), D(0))
    assert totals.total == totals.subtotal - totals.discount + totals.tax
    for figure in (totals.subtotal, totals.discount, totals.tax, totals.total):
        assert figure == figure.quantize(unit)
    # a discount never makes a line or the document negative
    for line in totals.lines:
        assert D(0) <= line.amount <= line.gross
        assert line.gross - line.discount == line.amount
    assert D(0) <= totals.net <= totals.subtotal
    assert D(0) <= largest_discount_percent(totals) <= D(100)


@given(lines=st.lists(line_inputs(), min_size=1, max_size=10), currency=currencies)
def test_pricing_twice_or_in_any_order_gives_the_same_totals(
    lines: list[LineInput], currency: str
) -> None:
    forward = price_quote(lines, currency=currency, tax_rate_percent=D("20"))
    backward = price_quote(lines[::-1], currency=currency, tax_rate_percent=D("20"))
    assert forward.as_strings() == backward.as_strings()


def test_each_rate_is_taxed_on_its_own_lines_after_their_share_of_the_header_discount() -> None:
    """An e-journal at a reduced rate beside a database at the standard rate (Dutch VAT:
    9 % and 21 %), with a 10 % header discount shared over both."""
    totals = price_quote(
        [
            LineInput(1, D("1000.00"), tax_rate_percent=D("9")),
            LineInput(1, D("333.33")),
        ],
        currency="EUR",
        discount_percent=D("10"),
        tax_rate_percent=D("21"),
    )
    journal, database = totals.lines
    assert totals.discount == D("133.33")
    assert (journal.net, database.net) == (D("900.00"), D("300.00"))
    assert [(b.rate_percent, b.net, b.tax) for b in totals.bands] == [
        (D("21"), D("300.00"), D("63.00")),
        (D("9"), D("900.00"), D("81.00")),
    ]
    assert (journal.tax, database.tax) == (D("81.00"), D("63.00"))
    assert totals.tax == D("144.00")
    assert totals.total == D("1344.00")


def test_allocation_adds_up_to_the_cent_by_largest_remainder() -> None:
    assert allocate(D("0.10"), [D(1), D(1), D(1)], "EUR") == [D("0.04"), D("0.03"), D("0.03")]
    assert allocate(D("100"), [D(1), D(2)], "JPY") == [D(33), D(67)]
    assert allocate(D("5.00"), [D(0), D(0)], "EUR") == [D(0), D(0)]


rated_lines = st.lists(
    st.builds(
        LineInput,
        st.integers(min_value=1, max_value=50),
        money,
        percent,
        st.just(D(0)),
        st.sampled_from([None, D("0"), D("9"), D("21")]),
    ),
    min_size=1,
    max_size=12,
)


@given(lines=rated_lines, header=percent, tax=percent)
def test_lines_add_up_to_the_totals_whatever_the_rates(
    lines: list[LineInput], header: Decimal, tax: Decimal
) -> None:
    totals = price_quote(lines, currency="EUR", discount_percent=header, tax_rate_percent=tax)
    assert sum(line.net for line in totals.lines) == totals.net
    assert sum(line.tax for line in totals.lines) == totals.tax
    assert sum(band.tax for band in totals.bands) == totals.tax
    assert sum(line.total for line in totals.lines) == totals.total
    for band in totals.bands:
        assert band.tax == round_money(band.net * band.rate_percent / 100, "EUR")
