from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, IdMixin


class Product(IdMixin, Base):
    """Something sold: a journal package, an e-book collection."""

    __tablename__ = "product"

    sku: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(String(40), default="subscription")
    tax_category: Mapped[str] = mapped_column(String(40), default="standard")
    """What its VAT rate depends on besides the country and day (data, e.g. e-publication)."""

    prices: Mapped[list[Price]] = relationship(
        back_populates="product", cascade="all, delete-orphan", lazy="selectin"
    )

    def standing_price(self, currency: str, year: int) -> Price | None:
        """The list price for a year: that year's list, or the latest earlier one still
        standing; None before the product's first list in the currency."""
        standing = [p for p in self.prices if p.currency == currency and p.year <= year]
        return max(standing, key=lambda p: p.year) if standing else None

    def price_in(self, currency: str, year: int) -> Decimal | None:
        price = self.standing_price(currency, year)
        return price.unit_price if price else None

    def listed_in(self, currency: str, year: int) -> Decimal | None:
        """The price the list for exactly this year gives, if there is one."""
        for price in self.prices:
            if price.currency == currency and price.year == year:
                return price.unit_price
        return None


class Price(IdMixin, Base):
    """A list price: one product, in one currency, from one year's price list."""

    __tablename__ = "price"
    __table_args__ = (UniqueConstraint("product_id", "currency", "year"),)

    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("product.id"))
    currency: Mapped[str] = mapped_column(String(3))
    year: Mapped[int]
    unit_price: Mapped[Decimal] = mapped_column(Numeric(18, 4))

    product: Mapped[Product] = relationship(back_populates="prices")
