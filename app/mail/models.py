"""The mail outbox: each message is a row written in the transaction that caused it."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, IdMixin

QUEUED = "queued"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"


class MailMessage(IdMixin, Base):
    """One message, composed when it was queued, so a retry sends exactly the same bytes.

    `key` names what it is about (a reminder of one signer on one day), so a sweep running
    twice queues it once; `message_id` is the Message-ID every attempt carries, so a
    receiver can recognise a repeat after a worker died between sending and marking."""

    __tablename__ = "mail_message"

    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    recipients: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    """[{"name": ..., "address": ...}], each already checked."""
    reply_to: Mapped[str | None] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(5))
    headers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    """Extra headers (List-Unsubscribe, List-Unsubscribe-Post)."""
    attachment: Mapped[dict[str, str] | None] = mapped_column(JSON)
    """A stored file to attach (key, version, sha256, filename), read when sending."""
    document_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("document.id"), index=True)
    sender_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user.id"))
    """The user on whose behalf it goes: a failure is shown to them."""
    state: Mapped[str] = mapped_column(String(10), default=QUEUED, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    lease_until: Mapped[datetime | None]
    """While `sending`: after this, a worker that died mid-send is presumed gone."""
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None]


class MailOptOut(IdMixin, Base):
    """An address that asked not to get one kind of message (a user's preferences page,
    a customer's one-click unsubscribe)."""

    __tablename__ = "mail_opt_out"
    __table_args__ = (UniqueConstraint("address", "kind"),)

    address: Mapped[str] = mapped_column(String(320))
    kind: Mapped[str] = mapped_column(String(40))
