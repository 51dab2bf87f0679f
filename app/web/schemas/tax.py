"""HTTP shapes of the VAT rate table."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from app.assembly.codes import Country
from app.tax.schemas import TaxRateIn


class TaxRatesQuery(BaseModel):
    country: Country | None = Field(default=None, description="Only this country's rates")


class TaxRatesIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "rates": [
                        {
                            "country": "NL",
                            "category": "standard",
                            "rate_percent": "21",
                            "valid_from": "2012-10-01",
                        },
                        {
                            "country": "NL",
                            "category": "e-publication",
                            "rate_percent": "9",
                            "valid_from": "2020-01-01",
                            "name": "reduced",
                        },
                    ]
                }
            ]
        },
    )

    rates: list[TaxRateIn] = Field(min_length=1, max_length=10_000)


class TaxRateOut(BaseModel):
    country: str
    category: str
    rate_percent: str
    valid_from: date
    valid_to: date | None = Field(description="The last day it applies; null while it stands")
    name: str
    exempt: bool


class TaxRatesOut(BaseModel):
    items: list[TaxRateOut]
    fallback: dict[str, str] = Field(
        description="CONTRACTDESK_TAX_RATES: each country's standard rate on days the table "
        "does not cover"
    )
