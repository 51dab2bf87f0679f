"""Amounts as each document language writes them: the figures a customer reads must be
the figures computed, to the minor unit of the currency."""

from __future__ import annotations

from decimal import Decimal

import pytest
from babel.numbers import parse_decimal
from hypothesis import given
from hypothesis import strategies as st

from app.assembly.document import LOCALES, Formatter
from app.assembly.pricing import round_money

D = Decimal


@pytest.mark.parametrize(
    ("language", "currency", "amount", "written"),
    [
        ("en", "EUR", "1234567.5", "€1,234,567.50"),
        ("nl", "EUR", "1234567.5", "€\xa01.234.567,50"),
        ("zh", "EUR", "1234567.5", "€1,234,567.50"),
        ("en", "JPY", "1234568", "JP¥1,234,568"),
        ("nl", "JPY", "1234568", "JP¥\xa01.234.568"),
        ("zh", "JPY", "1234568", "JP¥1,234,568"),
        ("zh", "CNY", "88000", "¥88,000.00"),
        ("en", "GBP", "0.5", "£0.50"),
    ],
)
def test_money_per_locale(language: str, currency: str, amount: str, written: str) -> None:
    assert Formatter(LOCALES[language], currency).money(D(amount)) == written


@pytest.mark.parametrize(("language", "written"), [("en", "12.5 %"), ("nl", "12,5 %")])
def test_percent_per_locale(language: str, written: str) -> None:
    assert Formatter(LOCALES[language], "EUR").percent(D("12.50")) == written


@given(
    amount=st.decimals(min_value=0, max_value=10**9, places=4, allow_nan=False),
    language=st.sampled_from(sorted(LOCALES)),
    currency=st.sampled_from(["EUR", "JPY", "GBP", "CNY", "USD"]),
)
def test_what_is_written_reads_back_as_the_rounded_amount(
    amount: Decimal, language: str, currency: str
) -> None:
    locale = LOCALES[language]
    rounded = round_money(amount, currency)
    written = Formatter(locale, currency).money(rounded)
    digits = "".join(ch for ch in written if ch.isdigit() or ch in ",.")
    assert parse_decimal(digits, locale=locale) == rounded
