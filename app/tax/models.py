from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.assembly.tax import TaxRate, plain
from app.db import Base, IdMixin


class TaxRateRow(IdMixin, Base):
    """One row of the rate table: a country's VAT rate for a tax category from `valid_from`
    to `valid_to` (its last day; none while it stands). Rows of one country and category
    never overlap."""

    __tablename__ = "tax_rate"
    __table_args__ = (UniqueConstraint("country", "category", "valid_from"),)

    country: Mapped[str] = mapped_column(String(2))
    category: Mapped[str] = mapped_column(String(40))
    rate_percent: Mapped[Decimal] = mapped_column(Numeric(7, 4))
    valid_from: Mapped[date]
    valid_to: Mapped[date | None]
    name: Mapped[str] = mapped_column(String(80), default="")
    exempt: Mapped[bool] = mapped_column(default=False)

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
