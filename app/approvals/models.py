from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, IdMixin
from app.users.models import User


class ExchangeRate(IdMixin, Base):
    """What one unit of `currency` is worth in `base_currency` from `valid_from` on, as
    finance recorded it; approval thresholds use the rate valid on the document's date."""

    __tablename__ = "exchange_rate"
    __table_args__ = (UniqueConstraint("currency", "base_currency", "valid_from"),)

    currency: Mapped[str] = mapped_column(String(3))
    base_currency: Mapped[str] = mapped_column(String(3))
    rate: Mapped[Decimal] = mapped_column(Numeric(18, 8))
    valid_from: Mapped[date]
    recorded_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user.id"))

    recorded_by: Mapped[User] = relationship(lazy="joined")
