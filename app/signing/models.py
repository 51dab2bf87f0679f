from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, IdMixin
from app.documents.models import Document
from app.users.models import User

ENVELOPE_SENDING = "sending"
ENVELOPE_SENT = "sent"
ENVELOPE_COMPLETED = "completed"
ENVELOPE_DECLINED = "declined"
ENVELOPE_VOIDED = "voided"
ENVELOPE_FAILED = "failed"

SIGNER_WAITING = "waiting"
SIGNER_SIGNED = "signed"
SIGNER_DECLINED = "declined"

SIGNER = "signer"
CARBON_COPY = "carbon_copy"


class Envelope(IdMixin, Base):
    """One round of signatures on one version of a document, at one provider."""

    __tablename__ = "envelope"

    document_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("document.id"), index=True)
    document_version: Mapped[int]
    provider: Mapped[str] = mapped_column(String(40))
    sent_via: Mapped[str] = mapped_column(String(10), default="page")
    """Where the send came from: page (a person) or api (a CRM, a script)."""
    provider_ref: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    unsigned_sha256: Mapped[str] = mapped_column(String(64))
    sent_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user.id"))
    completed_at: Mapped[datetime | None]
    document_status_before: Mapped[str] = mapped_column(String(30), default="")
    """Where the document goes back to when the envelope is declined, voided or fails."""
    reason: Mapped[str] = mapped_column(Text, default="")
    """Why it is waiting, or why it was declined, voided or failed, in words for people."""
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    provider_updated_at: Mapped[datetime | None]
    """When the provider generated the newest event applied, so older ones change nothing."""
    reminder_after_days: Mapped[int | None]
    reminder_every_days: Mapped[int | None]
    expire_after_days: Mapped[int | None]
    polled_at: Mapped[datetime | None]
    """When reconciliation last asked the provider about it (DocuSign allows every 15 min)."""

    document: Mapped[Document] = relationship(lazy="joined")
    sent_by: Mapped[User] = relationship(lazy="joined")
    signers: Mapped[list[Signer]] = relationship(
        back_populates="envelope", order_by="Signer.routing_order", lazy="selectin"
    )

    @property
    def signing(self) -> list[Signer]:
        """Those who sign; the rest are copies (they get the signed copy, sign nothing)."""
        return [s for s in self.signers if s.role == SIGNER]


class Signer(IdMixin, Base):
    __tablename__ = "signer"

    envelope_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("envelope.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(200))
    """The signer's position (Director of Library Services), shown in their signature block."""
    email: Mapped[str] = mapped_column(String(320))
    routing_order: Mapped[int]
    role: Mapped[str] = mapped_column(String(20), default=SIGNER)
    provider_recipient_id: Mapped[str | None] = mapped_column(String(40))
    embedded: Mapped[bool] = mapped_column(default=False)
    signing_group: Mapped[str | None] = mapped_column(String(100))
    opened_at: Mapped[datetime | None]
    opened_ip: Mapped[str | None] = mapped_column(String(64))
    opened_user_agent: Mapped[str | None] = mapped_column(Text)
    """DocuSign: any member of this signing group may sign in this place."""
    status: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    token_expires_at: Mapped[datetime | None]
    signed_at: Mapped[datetime | None]
    typed_name: Mapped[str | None] = mapped_column(String(200))
    ip_address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(Text)

    envelope: Mapped[Envelope] = relationship(back_populates="signers")


class ProviderEvent(IdMixin, Base):
    """A webhook event from a signature provider, kept so that a repeat is recognised."""

    __tablename__ = "provider_event"

    provider: Mapped[str] = mapped_column(String(40))
    event_key: Mapped[str] = mapped_column(String(64), unique=True)
    event: Mapped[str] = mapped_column(String(60))
    envelope_ref: Mapped[str] = mapped_column(String(200), index=True)
    generated_at: Mapped[datetime | None]
    outcome: Mapped[str] = mapped_column(String(40))
