"""A row of the rate table as finance gives it, through the API or a CSV file."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from app.assembly.codes import Country
from app.assembly.schemas import TAX_CATEGORY_PATTERN, Percent
from app.assembly.tax import TaxRate, plain
from app.assembly.text import Line

FIRST_DAY, LAST_DAY = date(1950, 1, 1), date(2999, 12, 31)


class TaxRateIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "country": "NL",
                    "category": "e-publication",
                    "rate_percent": "9",
                    "valid_from": "2020-01-01",
                    "name": "reduced",
                }
            ]
        },
    )

    country: Country
    category: str = Field(
        min_length=1,
        max_length=40,
        pattern=TAX_CATEGORY_PATTERN,
        description="The tax category, as products carry it, e.g. standard or e-publication",
    )
    rate_percent: Percent
    valid_from: date = Field(
        ge=FIRST_DAY, le=LAST_DAY, description="The first day the rate applies"
    )
    valid_to: date | None = Field(
        default=None,
        ge=FIRST_DAY,
        le=LAST_DAY,
        description="The last day the rate applies; left out while it stands",
    )
    name: Line = Field(
        default="",
        max_length=80,
        description="e.g. reduced, super-reduced",
    )
    exempt: bool = Field(
        default=False, description="An exempt supply (at 0 %), rather than a zero-rated one"
    )

    @field_validator("valid_to")
    @classmethod
    def _ends_after_start(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("valid_from")
        if value is not None and start is not None and value < start:
            raise ValueError(f"ends before it starts ({start})")
        return value

    @field_validator("exempt")
    @classmethod
    def _exempt_at_nothing(cls, value: bool, info: ValidationInfo) -> bool:
        if value and info.data.get("rate_percent"):
            raise ValueError("an exempt supply is charged no VAT: its rate is 0")
        return value

    def as_rate(self) -> TaxRate:
        return TaxRate(
            country=self.country,
            category=self.category,
            rate_percent=plain(self.rate_percent),
            valid_from=self.valid_from,
            valid_to=self.valid_to,
            name=self.name,
            exempt=self.exempt,
        )
