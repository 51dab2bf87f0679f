"""The approval matrix: pure decisions, and the file checked when it is read."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from app.assembly.approval_matrix import Facts, Rate, load_matrix
from app.config import PROJECT_ROOT

SHIPPED = load_matrix(PROJECT_ROOT / "config" / "approval-matrix.yaml")


def _facts(**changes: object) -> Facts:
    base: dict[str, object] = {
        "discount_percent": Decimal(0),
        "net_term": Decimal("20000"),
        "currency": "EUR",
        "term_years": 1,
        "non_standard": (),
    }
    return Facts(**{**base, **changes})  # type: ignore[arg-type]


def _needed(**changes: object) -> list[tuple[str, str, int]]:
    return [(r.rule, r.role, r.step) for r in SHIPPED.required(_facts(**changes))]


def test_a_plain_small_deal_needs_no_approval() -> None:
    assert _needed() == []
    assert _needed(discount_percent=Decimal(10)) == []  # "above 10" means more than 10


def test_each_rule_fires_on_its_own_figure() -> None:
    assert _needed(discount_percent=Decimal("10.5")) == [("discount", "manager", 1)]
    assert _needed(non_standard=("limitation-of-liability: fallback-1",)) == [
        ("non-standard-terms", "legal", 1)
    ]
    assert _needed(term_years=4) == [("long-term", "finance", 2)]
    [large] = SHIPPED.required(_facts(net_term=Decimal("100001")))
    assert (large.rule, large.role) == ("large-deal", "director")
    assert large.reason == "net value 100,001 EUR above 100,000 EUR"


def test_totals_are_compared_in_the_base_currency() -> None:
    assert _needed(net_term=Decimal("90000"), currency="GBP") == [("large-deal", "director", 2)]
    assert _needed(net_term=Decimal("90000"), currency="USD") == []
    with pytest.raises(ValueError, match="no exchange rate for SEK"):
        SHIPPED.required(_facts(currency="SEK"))


def test_tiers_come_in_the_order_of_their_steps() -> None:
    needed = _needed(discount_percent=Decimal(15), net_term=Decimal("150000"), term_years=5)
    assert needed == [
        ("discount", "manager", 1),
        ("large-deal", "director", 2),
        ("long-term", "finance", 2),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("base_currency: EUR\ntiers: []\n", "tiers"),
        ("base_currency: EUR\ntiers:\n  - {name: a, role: pope, when: {total_above: 1}}\n", "role"),
        ("base_currency: EUR\ntiers:\n  - {name: a, role: manager, when: {}}\n", "at least one"),
        (
            "base_currency: EUR\ntiers:\n  - {name: a, role: manager, when: {total_above: 1}}\n"
            "  - {name: a, role: legal, when: {total_above: 2}}\n",
            "more than once",
        ),
        ("base_currency: [\n", "cannot read"),
    ],
)
def test_a_broken_matrix_is_named_with_its_file(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "matrix.yaml"
    path.write_text(text)
    with pytest.raises(ValueError) as refused:
        load_matrix(path)
    assert str(path) in str(refused.value) and message in str(refused.value)


def test_the_value_figure_is_the_one_the_matrix_names(tmp_path: Path) -> None:
    text = (PROJECT_ROOT / "config" / "approval-matrix.yaml").read_text()
    path = tmp_path / "annual.yaml"
    path.write_text(text.replace("value_figure: term", "value_figure: annual"))
    annual = load_matrix(path)
    three_years = _facts(net_term=Decimal("120000"), net_annual=Decimal("40000"), term_years=3)
    assert [r.rule for r in SHIPPED.required(three_years)] == ["large-deal"]
    assert annual.required(three_years) == []


def test_a_dated_rate_is_used_and_kept_with_the_reason() -> None:
    rate = Rate(Decimal("1.25"), date(2026, 1, 1), "finance")
    [large] = SHIPPED.required(_facts(net_term=Decimal("84280"), currency="GBP"), rate)
    figures = large.reasons[0]["figures"]
    assert (figures["rate"], figures["rate_valid_from"], figures["base_value"]) == (
        "1.25",
        "2026-01-01",
        "105350.00",
    )


def test_authority_is_ordered_by_the_ranks_the_matrix_declares() -> None:
    assert SHIPPED.may_approve("director", "manager")
    assert SHIPPED.may_approve("manager", "manager")
    assert not SHIPPED.may_approve("manager", "director")
    assert not SHIPPED.may_approve("director", "legal")
    assert not SHIPPED.may_approve("legal", "manager")
