"""The outbox: queue a message in the caller's transaction; deliver it in a job of its own.

Delivery is at most one attempt at a time per message: a worker takes a lease (`sending`
until `lease_until`) in a short transaction, sends, then marks it `sent`. A worker killed
between the two leaves the lease to run out; the message then goes again with the same
Message-ID, which receiving systems use to recognise the repeat. A failure waits
`mail_retry_seconds`, doubled at each attempt; a permanent refusal (5xx) or the last
attempt marks it `failed`, shown on the outbox page and to its sender.
"""

from __future__ import annotations

import logging
import smtplib
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.config import Settings
from app.db import utcnow
from app.mail.addresses import clean_address, clean_header, formatted
from app.mail.compose import compose
from app.mail.models import FAILED, QUEUED, SENDING, SENT, MailMessage, MailOptOut
from app.mail.transports import PermanentFailure, Transport, transport_for
from app.uow import UnitOfWork

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)


@dataclass(frozen=True)
class Recipient:
    name: str
    address: str


@dataclass
class Outgoing:
    """What a use case asks to send; `key` makes queueing the same thing twice a no-op."""

    key: str
    kind: str
    to: list[Recipient]
    language: str
    context: dict[str, Any]
    reply_to: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    attachment: dict[str, str] | None = None
    document_id: uuid.UUID | None = None
    sender_id: uuid.UUID | None = None
    template: str = ""
    """The template that writes it, when not named as its kind (the notices share one);
    the kind is what a user opts out of."""


def opted_out(session: Session, address: str, kind: str) -> bool:
    return (
        session.scalar(
            select(MailOptOut.id).where(
                MailOptOut.address == address.lower(), MailOptOut.kind == kind
            )
        )
        is not None
    )


def set_opt_out(session: Session, address: str, kind: str, *, out: bool) -> None:
    found = session.scalar(
        select(MailOptOut).where(MailOptOut.address == address.lower(), MailOptOut.kind == kind)
    )
    if out and found is None:
        session.add(MailOptOut(address=address.lower(), kind=kind))
    elif not out and found is not None:
        session.delete(found)


def reply_to_for(settings: Settings, team: str | None) -> str | None:
    """The team's Reply-To from `mail_reply_to` (TEAM=ADDRESS, `*` for the rest)."""
    pairs = dict(
        part.split("=", 1) for part in settings.mail_reply_to.split(",") if "=" in part.strip()
    )
    pairs = {k.strip(): v.strip() for k, v in pairs.items()}
    return pairs.get(team or "") or pairs.get("*") or None


def queue(uow: UnitOfWork, outgoing: Outgoing) -> MailMessage | None:
    """Compose and store the message in the open transaction, and ask for its delivery
    after the commit. None when its key was queued before or every recipient opted out."""
    session = uow.session
    if session.scalar(select(MailMessage.id).where(MailMessage.key == outgoing.key)) is not None:
        return None
    to = [
        Recipient(clean_header(r.name), clean_address(r.address))
        for r in outgoing.to
        if not opted_out(session, r.address, outgoing.kind)
    ]
    if not to:
        return None
    composed = compose(outgoing.template or outgoing.kind, outgoing.language, outgoing.context)
    domain = uow.settings.mail_from.rpartition("@")[2].strip("<> ") or "localhost"
    message = MailMessage(
        key=outgoing.key,
        kind=outgoing.kind,
        message_id=make_msgid(domain=domain),
        recipients=[{"name": r.name, "address": r.address} for r in to],
        reply_to=clean_address(outgoing.reply_to) if outgoing.reply_to else None,
        subject=clean_header(composed.subject, pointer="/subject")[:300],
        text=composed.text,
        html=composed.html,
        language=composed.language,
        headers={k: clean_header(v, pointer="/headers") for k, v in outgoing.headers.items()},
        attachment=outgoing.attachment,
        document_id=outgoing.document_id,
        sender_id=outgoing.sender_id,
        state=QUEUED,
        attempts=0,
        last_error="",
        next_attempt_at=utcnow(),
    )
    session.add(message)
    session.flush()
    uow.enqueue("mail.deliver", message_id=str(message.id))
    return message


def as_email(uow: UnitOfWork, message: MailMessage) -> EmailMessage:
    """The message as it goes out: the same headers and parts on every attempt."""
    email = EmailMessage()
    email["Message-ID"] = message.message_id
    email["Date"] = formatdate(message.created_at.timestamp(), usegmt=True)
    email["From"] = uow.settings.mail_from
    email["To"] = ", ".join(formatted(r["name"], r["address"]) for r in message.recipients)
    if message.reply_to:
        email["Reply-To"] = message.reply_to
    email["Subject"] = message.subject
    email["Auto-Submitted"] = "auto-generated"
    for name, value in message.headers.items():
        email[name] = value
    email.set_content(message.text)
    email.add_alternative(message.html, subtype="html")
    if message.attachment:
        a = message.attachment
        data = uow.storage.get(a["key"], a["version"], sha256=a["sha256"])
        email.add_attachment(data, maintype="application", subtype="pdf", filename=a["filename"])
    email["Content-Language"] = message.language  # after the parts: set_content drops it
    return email


def _claim(uow: UnitOfWork, message_id: uuid.UUID) -> EmailMessage | None:
    with uow:
        message = uow.session.scalar(
            select(MailMessage)
            .where(MailMessage.id == message_id)
            .with_for_update(skip_locked=True)
        )
        now = utcnow()
        if message is None or message.state in {SENT, FAILED}:
            return None
        if message.state == SENDING and message.lease_until and message.lease_until > now:
            return None
        if message.next_attempt_at and message.next_attempt_at > now:
            return None
        message.state = SENDING
        message.lease_until = now + LEASE
        message.attempts += 1
        email = as_email(uow, message)
        uow.commit()
        return email


def deliver(uow: UnitOfWork, message_id: uuid.UUID, transport: Transport | None = None) -> str:
    """One attempt at one message; its state afterwards."""
    email = _claim(uow, message_id)
    if email is None:
        with uow:
            message = uow.session.get(MailMessage, message_id)
            return message.state if message else "missing"
    transport = transport or transport_for(
        uow.settings.smtp_url, uow.settings.storage_dir, uow.settings.smtp_ca_bundle
    )
    error, permanent = "", False
    try:
        addresses = [a.addr_spec for a in email["To"].addresses]
        transport.send(email, addresses)
    except PermanentFailure as exc:
        error, permanent = str(exc), True
    except (smtplib.SMTPException, OSError) as exc:
        error = f"{type(exc).__name__}: {exc}"
    with uow:
        message = uow.session.get(MailMessage, message_id, with_for_update=True)
        assert message is not None
        message.lease_until = None
        if not error:
            message.state, message.sent_at, message.last_error = SENT, utcnow(), ""
        elif permanent or message.attempts >= uow.settings.mail_max_attempts:
            message.state, message.last_error = FAILED, error
            log.warning("mail %s failed for good: %s", message.message_id, error)
        else:
            wait = uow.settings.mail_retry_seconds * 2 ** (message.attempts - 1)
            message.state, message.last_error = QUEUED, error
            message.next_attempt_at = utcnow() + timedelta(seconds=wait)
        state = message.state
        uow.commit()
        return state


def due(uow: UnitOfWork, limit: int = 200) -> list[uuid.UUID]:
    """Messages whose next attempt is due, and those whose sender died mid-send."""
    now = utcnow()
    with uow:
        return list(
            uow.session.scalars(
                select(MailMessage.id)
                .where(
                    or_(
                        (MailMessage.state == QUEUED) & (MailMessage.next_attempt_at <= now),
                        (MailMessage.state == SENDING) & (MailMessage.lease_until <= now),
                    )
                )
                .order_by(MailMessage.created_at)
                .limit(limit)
            )
        )


def deliver_due(uow: UnitOfWork) -> dict[str, int]:
    counts: dict[str, int] = {}
    for message_id in due(uow):
        state = deliver(uow, message_id)
        counts[state] = counts.get(state, 0) + 1
    return counts


def listing(
    session: Session, *, limit: int = 200, sender_id: uuid.UUID | None = None
) -> list[MailMessage]:
    """The newest messages first (only one sender's, when given)."""
    query = select(MailMessage).order_by(MailMessage.created_at.desc()).limit(limit)
    if sender_id is not None:
        query = query.where(MailMessage.sender_id == sender_id)
    return list(session.scalars(query))


def retry(session: Session, message_id: uuid.UUID) -> None:
    """Send a failed message again (after its address was corrected elsewhere, or the
    server fixed): its attempts start over, its Message-ID stays."""
    message = session.get(MailMessage, message_id, with_for_update=True)
    if message is None or message.state != FAILED:
        return
    message.state, message.attempts, message.next_attempt_at = QUEUED, 0, utcnow()


def preferences(session: Session, address: str, kinds: tuple[str, ...]) -> dict[str, bool]:
    """Which of the kinds the address gets (True) or opted out of (False)."""
    out = set(session.scalars(select(MailOptOut.kind).where(MailOptOut.address == address.lower())))
    return {kind: kind not in out for kind in kinds}
