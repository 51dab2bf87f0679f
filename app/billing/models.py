from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, IdMixin

if TYPE_CHECKING:
    from app.documents.models import Document

PENDING = "pending"
DELIVERED = "delivered"
FAILED = "failed"

ISSUED = "issued"
HELD = "held"
"""An invoice due for a customer that requires a PO and has none for its period: kept,
not sent, shown to finance, sent once the PO is set."""
INVOICE = "invoice"
ADJUSTMENT = "adjustment"
CREDIT = "credit"


class WebhookEndpoint(IdMixin, Base):
    __tablename__ = "webhook_endpoint"

    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[list[str]] = mapped_column(JSON)
    secret: Mapped[str] = mapped_column(String(100))
    previous_secret: Mapped[str | None] = mapped_column(String(100))
    """Still signed with during a rotation, until `previous_secret_expires_at`."""
    previous_secret_expires_at: Mapped[datetime | None]
    description: Mapped[str] = mapped_column(Text, default="")
    enabled: Mapped[bool] = mapped_column(default=True)
    disabled_at: Mapped[datetime | None]
    disabled_reason: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user.id"))

    def signing_secrets(self, now: datetime) -> list[str]:
        """The secrets a delivery is signed with now: both while a rotation lasts."""
        previous = self.previous_secret
        if previous and self.previous_secret_expires_at and self.previous_secret_expires_at > now:
            return [self.secret, previous]
        return [self.secret]


class OutboxEvent(IdMixin, Base):
    """An event written in the same transaction as the change it reports."""

    __tablename__ = "outbox_event"

    event_type: Mapped[str] = mapped_column(String(60))
    document_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("document.id"), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)

    deliveries: Mapped[list[WebhookDelivery]] = relationship(back_populates="event")
    document: Mapped[Document | None] = relationship(lazy="joined")

    @property
    def message_id(self) -> str:
        """The `webhook-id`: stable across retries, so receivers can deduplicate on it."""
        return f"msg_{self.id.hex}"


class WebhookDelivery(IdMixin, Base):
    __tablename__ = "webhook_delivery"
    __table_args__ = (UniqueConstraint("event_id", "endpoint_id"),)

    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("outbox_event.id"))
    endpoint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("webhook_endpoint.id"))
    status: Mapped[str] = mapped_column(String(20), index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(index=True)
    retry_until: Mapped[datetime | None]
    """Set by the first attempt (and again by a replay): retries stop after it."""
    delivered_at: Mapped[datetime | None]

    event: Mapped[OutboxEvent] = relationship(back_populates="deliveries", lazy="joined")
    endpoint: Mapped[WebhookEndpoint] = relationship(lazy="joined")
    attempt_log: Mapped[list[WebhookAttempt]] = relationship(
        order_by="WebhookAttempt.created_at", lazy="selectin"
    )


class WebhookAttempt(IdMixin, Base):
    __tablename__ = "webhook_attempt"

    delivery_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("webhook_delivery.id"), index=True)
    status_code: Mapped[int | None]
    duration_ms: Mapped[int]
    response_excerpt: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str | None] = mapped_column(Text)


class Cancellation(IdMixin, Base):
    """Finance cancelled a signed contract, wholly or some of its lines: what was credited
    and why. The document keeps its signed files; this records the change beside them."""

    __tablename__ = "cancellation"

    document_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("document.id"), index=True)
    lines: Mapped[list[int]] = mapped_column(JSON)
    """Indexes of the cancelled lines in the document's record."""
    net: Mapped[str] = mapped_column(String(40))
    tax: Mapped[str] = mapped_column(String(40))
    total: Mapped[str] = mapped_column(String(40))
    whole: Mapped[bool]
    reason: Mapped[str] = mapped_column(Text)
    cancelled_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user.id"))
    event_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("outbox_event.id"))
    """The first credit note's event; None where nothing invoiced needed crediting."""
    effective_on: Mapped[date | None]
    """A licence's: nothing is charged from this day on. None: a quote's, credited whole."""


class Invoice(IdMixin, Base):
    """The invoice ledger: one row per invoice, adjustment invoice or credit note a signed
    contract gives rise to. `key` names what caused it within the contract (`period-2`,
    `A-2027-000003:period-1`, `cancellation-<id>:period-2`), and is unique per contract, so
    a period's invoice is issued once however many sweeps run at the same time; what has
    been invoiced for a period is the sum of its rows."""

    __tablename__ = "invoice"
    __table_args__ = (UniqueConstraint("contract_id", "key"),)

    contract_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("document.id"), index=True)
    """The licence or quote invoiced."""
    document_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("document.id"))
    """The document that gave rise to it: the contract itself, or an amendment."""
    key: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), index=True)
    period_number: Mapped[int]
    period_start: Mapped[date]
    period_end: Mapped[date]
    invoice_on: Mapped[date]
    due_on: Mapped[date]
    bill_to: Mapped[dict[str, Any]] = mapped_column(JSON)
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    totals: Mapped[dict[str, Any]] = mapped_column(JSON)
    """subtotal, discount, net, tax, total and the tax `bands` by rate, decimal strings."""
    currency: Mapped[str] = mapped_column(String(3))
    tax_treatment: Mapped[str] = mapped_column(String(40))
    tax_note: Mapped[str] = mapped_column(Text, default="")
    po_number: Mapped[str | None] = mapped_column(String(100))
    contract_number: Mapped[str] = mapped_column(String(40))
    contract_version: Mapped[int]
    amendments: Mapped[list[str]] = mapped_column(JSON, default=list)
    """The signed amendments in force when it was issued: the contract as amended."""
    reason: Mapped[str] = mapped_column(Text, default="")
    event_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("outbox_event.id"))
    issued_at: Mapped[datetime | None]

    @property
    def webhook_id(self) -> str | None:
        """The `webhook-id` it was sent with (its event's `message_id`); None while held."""
        return f"msg_{self.event_id.hex}" if self.event_id else None


class PurchaseOrder(IdMixin, Base):
    """The customer's PO for one invoice period of a contract (the contract's own
    `po_number` stands for its first period until one is set here)."""

    __tablename__ = "purchase_order"
    __table_args__ = (UniqueConstraint("contract_id", "period_number"),)

    contract_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("document.id"))
    period_number: Mapped[int]
    po_number: Mapped[str] = mapped_column(String(100))
    set_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user.id"))
