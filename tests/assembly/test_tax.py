"""The tax rules: pure, no database. Who is taxed how, and each line's rate by its tax
category and the day it is taxed on."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.assembly.tax import (
    EXEMPT,
    GIVEN,
    OUTSIDE_SCOPE,
    RATED,
    REDUCED,
    REVERSE_CHARGE,
    STANDARD,
    ZERO_RATED,
    NoTaxRate,
    TaxRate,
    TaxRules,
    decide_rules,
    given_rules,
    overlapping,
    parse_rates,
    vat_number_problem,
)

D = Decimal
FALLBACK = parse_rates("GB=20,NL=21,DE=19")
TABLE = [
    TaxRate("GB", "standard", D(20), date(2011, 1, 4)),
    TaxRate("GB", "e-publication", D(0), date(2020, 5, 1)),
    TaxRate("NL", "standard", D(21), date(2012, 10, 1)),
    TaxRate("NL", "e-publication", D(9), date(2020, 1, 1), date(2026, 12, 31)),
    # a rate change on 1 January
    TaxRate("NL", "e-publication", D(11), date(2027, 1, 1)),
    TaxRate("NL", "medical-aid", D(0), date(2015, 1, 1), exempt=True),
    TaxRate("DE", "standard", D(19), date(2021, 1, 1)),
]
ON = date(2026, 6, 1)


def rules(country: str, vat_id: str | None = None, seller: str = "GB") -> TaxRules:
    return decide_rules(
        seller_country=seller,
        customer_country=country,
        customer_vat_id=vat_id,
        rates=TABLE,
        fallback=FALLBACK,
    )


@pytest.mark.parametrize(
    ("country", "vat_id", "category", "rate", "treatment"),
    [
        ("GB", None, "standard", "20", STANDARD),
        ("GB", None, "e-publication", "0", ZERO_RATED),  # UK e-publications since May 2020
        ("GB", "GB980780684", "e-publication", "0", ZERO_RATED),  # a UK business: UK VAT
        ("NL", "NL000099998B57", "e-publication", "0", REVERSE_CHARGE),
        ("DE", "DE136695976", "standard", "0", REVERSE_CHARGE),
        ("NL", None, "e-publication", "9", REDUCED),  # a library without a VAT number
        ("NL", None, "standard", "21", STANDARD),
        ("NL", "NL000099998B58", "e-publication", "9", REDUCED),  # a number that is wrong
        ("NL", None, "medical-aid", "0", EXEMPT),
        ("NL", None, "platform", "21", STANDARD),  # a category without a rate: standard
        ("FR", None, "standard", "0", OUTSIDE_SCOPE),  # no rate kept for France
        ("CN", None, "e-publication", "0", OUTSIDE_SCOPE),
    ],
)
def test_the_invoiced_party_and_the_category_decide_rate_and_treatment(
    country: str, vat_id: str | None, category: str, rate: str, treatment: str
) -> None:
    taxed = rules(country, vat_id).for_line(category, ON)
    assert (taxed.rate_percent, taxed.treatment) == (D(rate), treatment)


def test_each_treatment_that_needs_a_legal_note_names_it() -> None:
    assert rules("NL", "NL000099998B57").for_line("standard", ON).note_key == (
        "tax_note_reverse_charge"
    )
    assert rules("CN").for_line("standard", ON).note_key == "tax_note_outside_scope"
    assert rules("GB").for_line("e-publication", ON).note_key == "tax_note_zero_rated"
    assert rules("NL").for_line("medical-aid", ON).note_key == "tax_note_exempt"
    assert rules("NL").for_line("e-publication", ON).note_key is None
    assert rules("NL").for_line("standard", ON).note_key is None


def test_a_rate_change_on_a_date_is_honoured() -> None:
    dutch = rules("NL")
    assert dutch.for_line("e-publication", date(2026, 12, 31)).rate_percent == D(9)
    assert dutch.for_line("e-publication", date(2027, 1, 1)).rate_percent == D(11)
    # before the reduced rate existed, e-publications were standard-rated
    assert dutch.for_line("e-publication", date(2019, 12, 31)).treatment == STANDARD
    assert dutch.for_line("e-publication", date(2019, 12, 31)).rate_percent == D(21)
    assert rules("GB").for_line("e-publication", date(2020, 4, 30)).rate_percent == D(20)


def test_the_configured_rate_stands_for_the_standard_category_where_the_table_has_none() -> None:
    german = rules("DE")
    assert german.for_line("standard", date(2021, 1, 1)).rate_percent == D(19)
    assert german.for_line("e-publication", date(2020, 6, 1)).rate_percent == D(19)
    without_table = decide_rules(
        seller_country="GB",
        customer_country="NL",
        customer_vat_id=None,
        rates=[],
        fallback=FALLBACK,
    )
    assert without_table.for_line("e-publication", ON) == without_table.for_line("standard", ON)
    assert without_table.for_line("standard", ON).rate_percent == D(21)


def test_a_day_without_any_rate_is_an_error_not_a_guess() -> None:
    table_only = decide_rules(
        seller_country="GB", customer_country="NL", customer_vat_id=None, rates=TABLE, fallback={}
    )
    with pytest.raises(NoTaxRate, match="NL e-publication on 2011-01-01"):
        table_only.for_line("e-publication", date(2011, 1, 1))


def test_a_given_rate_overrides_every_line() -> None:
    given = given_rules(D("7.5"))
    assert given.for_line("e-publication", ON).rate_percent == D("7.5")
    assert given.for_line("standard", ON).treatment == GIVEN


def test_the_rules_kept_with_a_document_tax_it_the_same_later() -> None:
    dutch = rules("NL")
    kept = TaxRules.from_record({"tax_rules": dutch.as_record()})
    assert kept == dutch
    assert kept.basis == RATED and kept.rates == tuple(r for r in TABLE if r.country == "NL")


@pytest.mark.parametrize(
    ("treatment", "note"),
    [("domestic", None), ("configured", None), ("reverse_charge", "tax_note_reverse_charge")],
)
def test_a_document_made_before_tax_by_line_keeps_its_one_rate(
    treatment: str, note: str | None
) -> None:
    old = TaxRules.from_record({"tax_rate_percent": "20", "tax_treatment": treatment})
    line = old.for_line("e-publication", ON)
    assert (line.rate_percent, line.treatment, line.note_key) == (D(20), treatment, note)


def test_overlapping_rows_of_one_country_and_category_are_found() -> None:
    rows = [
        TaxRate("NL", "e-publication", D(9), date(2020, 1, 1), date(2026, 12, 31)),
        TaxRate("NL", "e-publication", D(11), date(2027, 1, 1)),
        TaxRate("NL", "standard", D(21), date(2020, 1, 1)),
        TaxRate("DE", "e-publication", D(7), date(2020, 1, 1)),
        TaxRate("NL", "e-publication", D(10), date(2026, 12, 31), date(2026, 12, 31)),
        TaxRate("NL", "standard", D(22), date(2030, 1, 1)),
    ]
    assert overlapping(rows) == [(0, 4), (2, 5)]
    assert overlapping(rows[:4]) == []


def test_vat_numbers_are_checked_with_their_check_digits_and_country() -> None:
    assert vat_number_problem("NL000099998B57", "NL") is None
    assert "check digit" in (vat_number_problem("NL000099998B58", "NL") or "")
    assert "starts with NL" in (vat_number_problem("DE136695976", "NL") or "")
    assert vat_number_problem("EL094259216", "GR") is None
    assert vat_number_problem("anything", "CN") is None  # not checked outside the EU and UK


@pytest.mark.parametrize("text", ["GB20", "GBR=20", "GB=twenty"])
def test_a_malformed_fallback_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_rates(text)
