"""Sending an envelope to DocuSign from a background job: created there once, retried
with backoff while DocuSign answers 429 or 5xx. What happens to it then arrives as Connect
events (`outcomes.py`); what a sender asks of it while it is out is in `actions.py`."""

from __future__ import annotations

import logging
import threading
import uuid
from datetime import timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from docusign_esign.client.api_exception import ApiException
from sqlalchemy import select
from sqlalchemy.orm import Session
from urllib3.exceptions import HTTPError as TransportError

from app.audit import services as audit
from app.billing import services as billing
from app.config import Settings
from app.db import utcnow
from app.documents.files import file_name, read_file
from app.documents.models import SENT
from app.errors import DomainError, InvalidInput, Unavailable
from app.signing.docusign import envelopes
from app.signing.docusign.connection import DocuSignConnection
from app.signing.models import (
    ENVELOPE_FAILED,
    ENVELOPE_SENDING,
    ENVELOPE_SENT,
    SIGNER,
    Envelope,
)
from app.uow import UnitOfWork

log = logging.getLogger(__name__)

PROVIDER = "docusign"
LEASE = timedelta(minutes=5)
MAX_BACKOFF = timedelta(hours=1)
FIRST_BACKOFF_SECONDS = 15

_connections: dict[tuple[Any, ...], DocuSignConnection] = {}
_connections_lock = threading.Lock()


def connection_for(settings: Settings) -> DocuSignConnection:
    """One connection (one token) per process and configuration."""
    key = (
        settings.docusign_integration_key,
        settings.docusign_user_id,
        settings.docusign_oauth_host,
        settings.docusign_private_key_file,
        settings.docusign_ca_bundle,
    )
    with _connections_lock:
        if key not in _connections:
            _connections[key] = DocuSignConnection(settings)
        return _connections[key]


def locked(session: Session, envelope_id: uuid.UUID) -> Envelope | None:
    return session.scalar(
        select(Envelope).where(Envelope.id == envelope_id).with_for_update(of=Envelope)
    )


def _retry_after(exc: ApiException) -> timedelta | None:
    value = (exc.headers or {}).get("Retry-After") if exc.headers else None
    if not value:
        return None
    if str(value).isdigit():
        return timedelta(seconds=int(value))
    try:
        return parsedate_to_datetime(str(value)) - utcnow()
    except (TypeError, ValueError):
        return None


def _backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=FIRST_BACKOFF_SECONDS * 2 ** (attempts - 1)), MAX_BACKOFF)


def attempt_send(uow: UnitOfWork, envelope_id: uuid.UUID) -> str:
    """Create the envelope at DocuSign, once; 429 and 5xx leave it `sending` for a later try."""
    with uow:
        envelope = locked(uow.session, envelope_id)
        now = utcnow()
        if envelope is None or envelope.status != ENVELOPE_SENDING:
            return "nothing to send"
        if envelope.next_attempt_at is not None and envelope.next_attempt_at > now:
            return "not due"
        envelope.attempts += 1
        envelope.next_attempt_at = now + LEASE  # the claim: no one else tries meanwhile
        attempts = envelope.attempts
        document = envelope.document
        pdf = read_file(uow.fork(), document.id, "pdf", envelope.document_version).data
        definition = envelopes.envelope_definition(
            transaction_id=str(envelope.id),
            subject=f"Please sign {document.template_version.template.title} {document.number}",
            file_name=file_name(document.number, "pdf", envelope.document_version),
            pdf=pdf,
            recipients=[
                envelopes.Recipient(
                    recipient_id=signer.provider_recipient_id or str(n),
                    name=signer.name,
                    email=signer.email,
                    routing_order=signer.routing_order,
                    anchor_index=signer_index if signer.role == SIGNER else None,
                    client_user_id=str(signer.id) if signer.embedded else None,
                    signing_group_id=signer.signing_group,
                    title=signer.title or "",
                )
                for n, (signer, signer_index) in enumerate(_anchor_indexes(envelope), start=1)
            ],
            schedule=_schedule(uow.settings, envelope),
        )
        uow.commit()
    connection = connection_for(uow.settings)
    try:
        _name_groups(connection, definition)
        provider_ref = _created_before(connection, envelope_id, attempts) or (
            envelopes.create_envelope(connection, definition)
        )
    except ApiException as exc:
        retryable = exc.status == 429 or (exc.status or 0) >= 500
        wait = (_retry_after(exc) or _backoff(attempts)) if retryable else None
        return _record_failure(uow, envelope_id, f"DocuSign answered {exc.status}", wait)
    except (TransportError, OSError, Unavailable) as exc:
        return _record_failure(
            uow, envelope_id, f"DocuSign cannot be reached ({exc})", _backoff(attempts)
        )
    except DomainError as exc:
        return _record_failure(uow, envelope_id, exc.detail, None)
    with uow:
        envelope = locked(uow.session, envelope_id)
        assert envelope is not None
        envelope.provider_ref = provider_ref
        envelope.status = ENVELOPE_SENT
        envelope.next_attempt_at = None
        envelope.reason = ""
        envelope.document.status = SENT
        audit.record_event(
            uow.session,
            tag="document.sent",
            subject=envelope.document,
            actor=None,
            data={"provider": PROVIDER, "envelope": provider_ref, "attempts": attempts},
        )
        billing.publish(uow, "document.sent", envelope.document)
        uow.commit()
    return "sent"


def _name_groups(connection: DocuSignConnection, definition: Any) -> None:
    """Signing groups are named in our records and by id at DocuSign: look the ids up."""
    grouped = [s for s in definition.recipients.signers if s.signing_group_id]
    if not grouped:
        return
    groups = envelopes.signing_groups(connection)
    for signer in grouped:
        name = signer.signing_group_id
        if name not in groups:
            known = ", ".join(sorted(groups)) or "none"
            raise InvalidInput(f"the DocuSign account has no signing group {name!r} ({known})")
        signer.signing_group_id = groups[name]


def _schedule(settings: Settings, envelope: Envelope) -> envelopes.Schedule:
    """The envelope's own reminders and expiry where the sender set them, else the defaults."""
    expire_after = envelope.expire_after_days or settings.docusign_expire_after_days
    return envelopes.Schedule(
        reminder_after_days=(
            envelope.reminder_after_days
            if envelope.reminder_after_days is not None
            else settings.docusign_reminder_after_days
        ),
        reminder_every_days=envelope.reminder_every_days or settings.docusign_reminder_every_days,
        expire_after_days=expire_after,
        expire_warn_days=min(settings.docusign_expire_warn_days, max(expire_after - 1, 0)),
    )


def _created_before(
    connection: DocuSignConnection, envelope_id: uuid.UUID, attempts: int
) -> str | None:
    """After an attempt whose answer was lost (a timeout, a killed worker), DocuSign may
    hold the envelope already: look it up by our transaction id instead of sending twice."""
    if attempts <= 1:
        return None
    found = envelopes.statuses(connection, transaction_ids=[str(envelope_id)])
    return found[0].envelope_id if found else None


def _anchor_indexes(envelope: Envelope) -> list[tuple[Any, int]]:
    """Each recipient with the number of its anchors: signers 1, 2, … in routing order."""
    numbered, index = [], 0
    for signer in envelope.signers:
        if signer.role == SIGNER:
            index += 1
        numbered.append((signer, index))
    return numbered


def _record_failure(
    uow: UnitOfWork, envelope_id: uuid.UUID, why: str, retry_in: timedelta | None
) -> str:
    with uow:
        envelope = locked(uow.session, envelope_id)
        assert envelope is not None
        if retry_in is not None:
            envelope.next_attempt_at = utcnow() + max(retry_in, timedelta(seconds=1))
            envelope.reason = (
                f"{why}; trying again at {envelope.next_attempt_at:%H:%M:%S} UTC "
                f"(attempt {envelope.attempts})"
            )
            outcome = "retry"
        else:
            envelope.status = ENVELOPE_FAILED
            envelope.next_attempt_at = None
            envelope.reason = why
            envelope.document.status = envelope.document_status_before
            outcome = "failed"
        log.warning("DocuSign send of envelope %s: %s", envelope_id, envelope.reason)
        audit.record_event(
            uow.session,
            tag=f"document.send_{outcome}",
            subject=envelope.document,
            actor=None,
            data={"provider": PROVIDER, "reason": envelope.reason},
        )
        uow.commit()
    return outcome


def due_sends(uow: UnitOfWork) -> list[uuid.UUID]:
    """Envelopes still `sending` whose next try (or whose lease) is due."""
    with uow:
        return list(
            uow.session.scalars(
                select(Envelope.id).where(
                    Envelope.provider == PROVIDER,
                    Envelope.status == ENVELOPE_SENDING,
                    (Envelope.next_attempt_at.is_(None)) | (Envelope.next_attempt_at <= utcnow()),
                )
            ).all()
        )
