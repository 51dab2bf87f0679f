"""The sweeps that remind: unsigned signers of the built-in signer, on a schedule; the
owners of quotes about to expire; legal, of clause drafts and template versions waiting
for review.

A signer is reminded `signing_reminder_days` after the envelope was sent (3 and 7 days by
default, or the template's own `signing_reminder_days`; the envelope's own
reminder_after_days / reminder_every_days override both). Each
reminder carries a fresh one-time link (the earlier one stops working, as with a reminder
from the document page; by the first reminder it has usually run out anyway). Reminders
stop once the signer has signed or declined, or the envelope is completed, declined or
withdrawn, and for an address that unsubscribed. Once the last reminder's link has run
out too, the signer is told the request expired, and so is its sender.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import date, datetime, timedelta

from sqlalchemy import select

from app.billing import services as billing
from app.db import utcnow
from app.documents import validity
from app.documents.models import Document
from app.documents.validity import EXPIRABLE
from app.library.models import DRAFT, IN_REVIEW, ClauseVersion, TemplateVersion
from app.library.templates import package_for
from app.mail import events
from app.mail.models import MailMessage
from app.mail.services import opted_out
from app.notifications.services import notify_once
from app.signing.models import ENVELOPE_SENT, SIGNER, SIGNER_WAITING, Envelope, Signer
from app.signing.sending import token_hash
from app.uow import UnitOfWork


def schedule_days(envelope: Envelope, default: tuple[int, ...], horizon: int = 60) -> list[int]:
    """The days after sending on which this envelope's signers are reminded."""
    if envelope.reminder_after_days:
        first, every = envelope.reminder_after_days, envelope.reminder_every_days
        if not every:
            return [first]
        return list(range(first, horizon + 1, every))
    return sorted(default)


def _due_day(envelope: Envelope, default: tuple[int, ...], now: datetime) -> int | None:
    age = (now - envelope.created_at).total_seconds() / 86400
    due = [d for d in schedule_days(envelope, default) if d <= age]
    return max(due) if due else None


def _template_days(
    uow: UnitOfWork, envelope: Envelope, known: dict[uuid.UUID, tuple[int, ...]]
) -> tuple[int, ...]:
    """The reminder days of the envelope's template (its package's manifest), else the
    setting's; each template version read once a sweep."""
    version = envelope.document.template_version
    if version.id not in known:
        days = package_for(version, uow.settings.template_cache_dir).signing_reminder_days
        known[version.id] = days or uow.settings.signing_reminder_days
    return known[version.id]


def remind_signers(uow: UnitOfWork, now: datetime | None = None) -> int:
    """Queue the reminders due; the number queued."""
    now = now or utcnow()
    queued = 0
    with uow:
        envelopes = uow.session.scalars(
            select(Envelope)
            .where(Envelope.status == ENVELOPE_SENT, Envelope.provider == "builtin")
            .with_for_update(of=Envelope, skip_locked=True)
        ).all()
        by_template: dict[uuid.UUID, tuple[int, ...]] = {}
        for envelope in envelopes:
            default = _template_days(uow, envelope, by_template)
            day = _due_day(envelope, default, now)
            if day is None:
                continue
            waiting = [
                s for s in envelope.signers if s.status == SIGNER_WAITING and s.role == SIGNER
            ]
            if not waiting:
                continue
            turn = min(s.routing_order for s in waiting)
            last = day == max(schedule_days(envelope, default))
            for signer in waiting:
                key = f"reminder:{signer.id}:{day}"
                if signer.routing_order != turn:
                    continue
                if opted_out(uow.session, signer.email, events.REMINDER) or uow.session.scalar(
                    select(MailMessage.id).where(MailMessage.key == key)
                ):
                    expired = signer.token_expires_at and signer.token_expires_at < now
                    if last and expired:
                        queued += _tell_expired(uow, envelope, signer)
                    continue
                token = secrets.token_urlsafe(32)
                signer.token_hash = token_hash(token)
                signer.token_expires_at = now + timedelta(hours=uow.settings.signing_link_hours)
                events.signing_link(
                    uow,
                    envelope.document,
                    kind=events.REMINDER,
                    key=key,
                    name=signer.name,
                    email=signer.email,
                    link=events.url(uow, f"/sign/{token}"),
                    expires_at=signer.token_expires_at,
                    sender=envelope.sent_by,
                )
                queued += 1
        uow.commit()
    return queued


def _tell_expired(uow: UnitOfWork, envelope: Envelope, signer: Signer) -> int:
    """No reminder is left and the last link ran out: the signer is told the request
    expired (in the document's language), and the sender on their pages and by mail."""
    assert signer.token_expires_at is not None
    key = f"expired:{signer.id}:{signer.token_expires_at.isoformat()}"
    if uow.session.scalar(select(MailMessage.id).where(MailMessage.key == key)):
        return 0
    document, sender = envelope.document, envelope.sent_by
    events.signing_link(
        uow, document, kind=events.EXPIRED, key=key, name=signer.name, email=signer.email,
        link="", expires_at=signer.token_expires_at, sender=sender,
    )  # fmt: skip
    params = {
        "number": document.number,
        "customer": str(document.customer.get("name", "")),
        "signer": signer.name,
    }
    notify_once(
        uow.session,
        user_id=sender.id,
        key=key,
        message=f"{signer.name} did not sign {document.number} before the last link ran out.",
        document_id=document.id,
    )
    events.notice(
        uow,
        [sender],
        kind=events.SIGNED_COPY,
        key=key,
        headline="Signing request expired: %(number)s for %(customer)s",
        detail="%(signer)s did not sign %(number)s before the last link ran out. Send it "
        "again if the deal stands.",
        link=f"/documents/{document.id}",
        document=document,
        **params,
    )
    return 1


def warn_expiring_quotes(uow: UnitOfWork, today: date | None = None) -> int:
    """Warn each quote's owner once when it expires within `quote_warning_days`: on their
    pages, by mail, and to integrations as the webhook event `document.expiring`."""
    today = today or utcnow().date()
    horizon = today + timedelta(days=uow.settings.quote_warning_days)
    warned = 0
    with uow:
        quotes = uow.session.scalars(
            select(Document).where(Document.kind == "quote", Document.status.in_(EXPIRABLE))
        ).all()
        for quote in quotes:
            until = validity.expires_on(quote)
            if until is None or not today <= until <= horizon:
                continue
            note = notify_once(
                uow.session,
                user_id=quote.created_by_id,
                key=f"quote-expiring:{quote.id}:{until.isoformat()}",
                message=f"{quote.number} for {quote.customer.get('name', '')} expires on "
                f"{until.isoformat()}.",
                document_id=quote.id,
            )
            if note is None:
                continue
            events.quote_expiring(uow, quote, until)
            billing.publish(
                uow,
                "document.expiring",
                quote,
                billing.document_event_data(quote, expires_on=until.isoformat()),
            )
            warned += 1
        uow.commit()
    return warned


def review_waiting(uow: UnitOfWork) -> int:
    """Tell legal of each clause draft in review (once per submitted text) and each
    uploaded template version not yet published (once per version); a sweep, so the
    library's use cases stay as they are."""
    with uow:
        waiting = uow.session.scalars(
            select(ClauseVersion).where(ClauseVersion.status == IN_REVIEW)
        ).all()
        for version in waiting:
            events.review_waiting(uow, version)
        templates = uow.session.scalars(
            select(TemplateVersion).where(
                TemplateVersion.status == DRAFT, TemplateVersion.uploaded_by_id.is_not(None)
            )
        ).all()
        for template in templates:
            events.template_waiting(uow, template)
        uow.commit()
    return len(waiting) + len(templates)
