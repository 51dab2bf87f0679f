"""The tax rules: pure, no database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.assembly.tax import (
    CONFIGURED,
    DOMESTIC,
    OUTSIDE_SCOPE,
    REVERSE_CHARGE,
    decide_tax,
    parse_rates,
    vat_number_problem,
)

RATES = parse_rates("GB=20,NL=21,DE=19")


@pytest.mark.parametrize(
    ("country", "vat_id", "rate", "treatment"),
    [
        ("GB", None, "20", DOMESTIC),
        ("GB", "GB980780684", "20", DOMESTIC),  # a UK business still pays UK VAT
        ("NL", "NL000099998B57", "0", REVERSE_CHARGE),
        ("DE", "DE136695976", "0", REVERSE_CHARGE),
        ("NL", None, "21", CONFIGURED),  # a library without a VAT number
        ("NL", "NL000099998B58", "21", CONFIGURED),  # a number that does not check out
        ("FR", None, "0", OUTSIDE_SCOPE),  # no rate configured for France
        ("CN", None, "0", OUTSIDE_SCOPE),
    ],
)
def test_the_rules_decide_rate_and_treatment(
    country: str, vat_id: str | None, rate: str, treatment: str
) -> None:
    decision = decide_tax(
        seller_country="GB", customer_country=country, customer_vat_id=vat_id, rates=RATES
    )
    assert (decision.rate_percent, decision.treatment) == (Decimal(rate), treatment)


def test_vat_numbers_are_checked_with_their_check_digits_and_country() -> None:
    assert vat_number_problem("NL000099998B57", "NL") is None
    assert "check digit" in (vat_number_problem("NL000099998B58", "NL") or "")
    assert "starts with NL" in (vat_number_problem("DE136695976", "NL") or "")
    assert vat_number_problem("EL094259216", "GR") is None
    assert vat_number_problem("anything", "CN") is None  # not checked outside the EU and UK


@pytest.mark.parametrize("text", ["GB20", "GBR=20", "GB=twenty"])
def test_a_malformed_rate_table_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_rates(text)
