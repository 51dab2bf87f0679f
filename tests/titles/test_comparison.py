"""Year-on-year comparison of title lists: pure, Decimal only."""

from __future__ import annotations

from decimal import Decimal

from app.assembly.schemas import TitleIn
from app.titles.comparison import PriceChange, TitleListComparison, compare_titles

D = Decimal


def title(
    name: str, price: str | None = None, issn: str | None = None, eissn: str | None = None
) -> TitleIn:
    return TitleIn(title=name, issn=issn, eissn=eissn, price=price)


def test_added_removed_repriced_and_unchanged() -> None:
    previous = [
        title("Science", "100.00", issn="0036-8075"),
        title("Nature", "12.5", issn="0028-0836"),
        title("Physical Review Letters", "50", issn="0031-9007"),
    ]
    current = [
        title("American Journal of Physics", "30", issn="0002-9505"),
        title("Nature", "12.50", issn="0028-0836"),  # the same price, written differently
        title("Science", "104.25", issn="0036-8075"),
    ]
    result = compare_titles(previous, current)
    assert [t.title for t in result.added] == ["American Journal of Physics"]
    assert [t.title for t in result.removed] == ["Physical Review Letters"]
    assert result.price_changed == (PriceChange("Science", D("100.00"), D("104.25"), D("4.25")),)
    assert result.unchanged_count == 1


def test_titles_are_matched_by_issn_then_eissn_then_title() -> None:
    previous = [
        title("Nature", "10", issn="0028-0836", eissn="1476-4687"),
        title("Science Magazine", "20", issn="0036-8075"),
        title("The Journal of Local History", "5"),
    ]
    current = [
        title("Nature (online only)", "11", eissn="1476-4687"),  # print ISSN dropped
        title("Science", "20", issn="0036-8075"),  # renamed
        title("journal of local  history.", "4"),  # retyped
    ]
    result = compare_titles(previous, current)
    assert result.added == result.removed == ()
    assert result.unchanged_count == 1
    assert result.price_changed == (
        PriceChange("journal of local  history.", D("5"), D("4"), D("-1")),
        PriceChange("Nature (online only)", D("10"), D("11"), D("1")),
    )


def test_the_same_name_with_different_issns_is_two_serials() -> None:
    previous = [title("Annals", "1", issn="0028-0836")]
    current = [title("Annals", "1", issn="0036-8075")]
    result = compare_titles(previous, current)
    assert [t.issn for t in result.removed] == ["0028-0836"]
    assert [t.issn for t in result.added] == ["0036-8075"]
    assert result.unchanged_count == 0


def test_a_price_appearing_or_disappearing_has_no_difference() -> None:
    result = compare_titles(
        [title("A", None, issn="0028-0836"), title("B", "7", issn="0036-8075")],
        [title("A", "3", issn="0028-0836"), title("B", None, issn="0036-8075")],
    )
    assert result.price_changed == (
        PriceChange("A", None, D("3"), None),
        PriceChange("B", D("7"), None, None),
    )


def test_results_are_ordered_by_title_whatever_the_input_order() -> None:
    names = ["zeta", "Alpha", "the Beta", "gamma"]
    forwards = compare_titles([], [title(n) for n in names])
    backwards = compare_titles([], [title(n) for n in reversed(names)])
    assert [t.title for t in forwards.added] == ["Alpha", "the Beta", "gamma", "zeta"]
    assert forwards == backwards


def test_duplicates_pair_one_to_one() -> None:
    result = compare_titles([title("Nature"), title("Nature")], [title("Nature")])
    assert [t.title for t in result.removed] == ["Nature"]
    assert result.unchanged_count == 1


def test_empty_lists() -> None:
    assert compare_titles([], []) == TitleListComparison((), (), (), 0)
