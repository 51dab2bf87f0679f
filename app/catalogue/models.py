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

    prices: Mapped[list[Price]] = relationship(
        back_populates="product", cascade="all, delete-orphan", lazy="selectin"
    )

    def price_in(self, currency: str) -> Decimal | None:
        for price in self.prices:
            if price.currency == currency:
                return price.unit_price
        return None


class Price(IdMixin, Base):
    __tablename__ = "price"
    __table_args__ = (UniqueConstraint("product_id", "currency"),)

    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("product.id"))
    currency: Mapped[str] = mapped_column(String(3))
    unit_price: Mapped[Decimal] = mapped_column(Numeric(18, 4))

    product: Mapped[Product] = relationship(back_populates="prices")
