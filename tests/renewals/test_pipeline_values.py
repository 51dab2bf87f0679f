"""The pipeline's figures for one renewal, without a database: net, by contract year."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.assembly.subscription.renewal_values import renewal_values

D = Decimal


def _renewal(**changes: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    data = {
        "account": {"name": "Sample University", "country": "NL"},
        "currency": "EUR",
        "term": {"start": "2030-04-01", "years": 2},
        "annual_uplift_percent": "3",
        "lines": [{"description": "Journal collection", "unit_price": "10000.00", "quantity": 1}],
        "tax_rate_percent": "21",
        "sites": [{"name": "Main library"}],
        "authorised_users": "Students and staff",
        "titles": [{"title": "Sample Journal", "price": "100.00"}],
        "issued_on": "2029-12-01",
        **changes,
    }
    totals = {
        "lines": [
            {
                "description": "Journal collection",
                "sku": None,
                "quantity": 1,
                "unit_price": "10000.00",
                "discount_percent": "0",
                "discount_amount": "0",
            }
        ],
        "day_count": "actual/365",
    }
    return data, totals


def test_the_net_annual_value_is_the_first_contract_year_whatever_the_invoice_periods() -> None:
    by_year = renewal_values(*_renewal())
    # calendar years: April to December 2030 is invoiced first, yet the year is the year
    by_calendar = renewal_values(*_renewal(invoice_periods="calendar-years"))
    assert by_year == by_calendar == (D("10000.00"), D("20300.00"))


def test_a_header_amount_comes_off_each_year_and_no_tax_is_counted() -> None:
    annual, term = renewal_values(*_renewal(discount_amount="1446.28"))
    assert (annual, term) == (D("8553.72"), D("17407.44"))  # 20,300 less twice 1,446.28
