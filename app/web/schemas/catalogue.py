"""HTTP shapes of the catalogue: products with their list prices, and price lists."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from app.assembly.codes import Currency
from app.assembly.schemas import Money


class ProductQuery(BaseModel):
    currency: Currency = "EUR"
    year: int | None = Field(
        default=None, ge=2000, le=2100, description="The price list's year; this year if left out"
    )


class ProductOut(BaseModel):
    sku: str
    name: str
    kind: str
    unit: str
    tax_category: str = Field(description="What the product's VAT rate depends on")
    unit_price: str | None = Field(description="The list price standing in that year, if any")
    listed_in: int | None = Field(description="The year of the list that price comes from")


class ProductsOut(BaseModel):
    currency: str
    year: int
    products: list[ProductOut]


class PriceListIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"prices": {"JNL-PHYS": "19200.00"}}]},
    )

    prices: dict[str, Money] = Field(
        min_length=1, max_length=10_000, description="List price by SKU, as decimal strings"
    )


class PriceListOut(BaseModel):
    year: int
    currency: str
    changed: int = Field(description="How many prices were new or different")
    prices: dict[str, Decimal]
