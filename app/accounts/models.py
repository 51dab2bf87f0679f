from __future__ import annotations

from sqlalchemy import Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, IdMixin


class Account(IdMixin, Base):
    """A customer: a library, a consortium, a corporate library."""

    __tablename__ = "account"
    __table_args__ = (
        # a part of the name, in any case (ILIKE '%x%'): trigrams on PostgreSQL
        Index(
            "ix_account_name_trgm",
            "name",
            postgresql_using="gin",
            postgresql_ops={"name": "gin_trgm_ops"},
        ),
    )

    name: Mapped[str] = mapped_column(String(300))
    country: Mapped[str] = mapped_column(String(2))
    address: Mapped[str] = mapped_column(Text, default="")
    vat_id: Mapped[str | None] = mapped_column(String(40))
    region: Mapped[str | None] = mapped_column(String(40))
    crm_id: Mapped[str | None] = mapped_column(String(100))
    erp_id: Mapped[str | None] = mapped_column(String(100))
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(320))
    requires_po: Mapped[bool] = mapped_column(default=False, server_default=false())
    """Invoices need the customer's PO: one due without it is held, not sent."""
