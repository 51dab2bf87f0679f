"""The quote's data model: what a form or a CRM sends to make a quote.

Money travels as decimal strings; a JSON number is refused for money so that no
float ever touches an amount.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from babel import Locale
from babel.numbers import get_currency_precision, list_currencies
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

_CURRENCIES = frozenset(list_currencies())
_COUNTRIES = frozenset(code for code in Locale("en").territories if str(code).isalpha())


def _decimal_string(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError('send money and percentages as decimal strings, e.g. "12.50"')
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValueError(f"{value!r} is not a decimal number") from exc
    if not number.is_finite():
        raise ValueError("must be a finite number")
    return number


DecimalString = Annotated[
    Decimal,
    BeforeValidator(_decimal_string),
    Field(json_schema_extra={"type": "string", "pattern": r"^-?\d+(\.\d+)?$"}),
]
Percent = Annotated[DecimalString, Field(ge=0, le=100, max_digits=9, decimal_places=4)]
Money = Annotated[DecimalString, Field(ge=0, max_digits=18, decimal_places=4)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class NewCustomer(Strict):
    name: str = Field(min_length=1, max_length=300)
    country: str = Field(description="ISO 3166-1 alpha-2 code, e.g. GB")
    address: str = Field(default="", max_length=2000)
    vat_id: str | None = Field(default=None, max_length=40)

    @field_validator("country")
    @classmethod
    def _known_country(cls, value: str) -> str:
        code = value.upper()
        if code not in _COUNTRIES:
            raise ValueError(f"{value!r} is not an ISO 3166 country code")
        return code


class QuoteLineIn(Strict):
    sku: str | None = Field(default=None, max_length=64, description="A catalogue SKU")
    description: str | None = Field(
        default=None, max_length=500, description="For a free line: what is sold"
    )
    unit_price: Money | None = Field(default=None, description="For a free line: price per unit")
    quantity: int = Field(ge=1, le=1_000_000)
    discount_percent: Percent = Field(default=Decimal(0))

    @model_validator(mode="after")
    def _catalogue_or_free(self) -> QuoteLineIn:
        if self.sku is None and (self.description is None or self.unit_price is None):
            raise ValueError("give either a sku, or a description and a unit_price")
        return self


def _account_form(value: Any) -> str:
    return "new" if isinstance(value, dict | NewCustomer) else "id"


AccountRef = Annotated[
    Annotated[uuid.UUID, Tag("id")] | Annotated[NewCustomer, Tag("new")],
    Discriminator(_account_form),
]


class QuoteData(Strict):
    account: AccountRef = Field(
        description="An account id from the service, or a new customer's details"
    )
    currency: str = Field(description="ISO 4217 code, e.g. EUR")
    valid_until: date | None = Field(default=None, description="Defaults to 30 days from today")
    lines: list[QuoteLineIn] = Field(min_length=1, max_length=500)
    discount_percent: Percent = Field(default=Decimal(0), description="Header discount")
    tax_rate_percent: Percent = Field(default=Decimal(0))
    language: str = Field(default="en", pattern=r"^(en|nl|zh)$")
    jurisdiction: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$",
        description="The law the document is written under, e.g. england-wales; "
        "defaults to the service's configured jurisdiction",
    )
    clause_positions: dict[str, str] = Field(
        default_factory=dict,
        max_length=50,
        description="Playbook fallbacks chosen instead of preferred texts, by clause key, "
        'e.g. {"limitation-of-liability": "fallback-1"}; any fallback needs legal approval',
    )
    po_number: str | None = Field(default=None, max_length=100)
    notes: str = Field(default="", max_length=4000)

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str) -> str:
        code = value.upper()
        if code not in _CURRENCIES:
            raise ValueError(f"{value!r} is not an ISO 4217 currency code")
        return code

    @property
    def minor_units(self) -> int:
        return get_currency_precision(self.currency)
