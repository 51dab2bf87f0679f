"""An envelope's life at DocuSign: sent from a background job (retried with backoff while
DocuSign answers 429 or 5xx), then moved on by Connect events, each applied once."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Mapping
from datetime import timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from docusign_esign import Envelope as DocuSignEnvelope
from docusign_esign import EnvelopesApi, RecipientViewRequest
from docusign_esign.client.api_exception import ApiException
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from urllib3.exceptions import HTTPError as TransportError

from app.audit import services as audit
from app.billing import invoicing
from app.billing import services as billing
from app.config import Settings
from app.db import utcnow
from app.documents.files import file_name, read_file, store_file
from app.documents.models import SENT, SIGNED, Document
from app.errors import Conflict, DomainError, InvalidInput, Unauthenticated, Unavailable
from app.signing.docusign import envelopes
from app.signing.docusign.connect import ConnectEvent, parse_event, signature_valid
from app.signing.docusign.connection import DocuSignConnection
from app.signing.models import (
    ENVELOPE_COMPLETED,
    ENVELOPE_DECLINED,
    ENVELOPE_FAILED,
    ENVELOPE_SENDING,
    ENVELOPE_SENT,
    ENVELOPE_VOIDED,
    SIGNER,
    SIGNER_DECLINED,
    SIGNER_SIGNED,
    Envelope,
    ProviderEvent,
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


def _locked(session: Session, envelope_id: uuid.UUID) -> Envelope | None:
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
        envelope = _locked(uow.session, envelope_id)
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
        envelope = _locked(uow.session, envelope_id)
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
        envelope = _locked(uow.session, envelope_id)
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


# --- Connect ------------------------------------------------------------------------------


def receive_connect(uow: UnitOfWork, body: bytes, headers: Mapping[str, str]) -> str:
    """Check the signature, then apply the event once; the outcome, for the log."""
    keys = [k.strip() for k in uow.settings.docusign_connect_hmac_keys.split(",") if k.strip()]
    if not keys or not signature_valid(body, headers, keys):
        raise Unauthenticated("the Connect message is not signed with a configured HMAC key")
    event = parse_event(body)
    try:
        with uow:
            outcome = _apply(uow, event)
            uow.session.add(
                ProviderEvent(
                    provider=PROVIDER,
                    event_key=event.key,
                    event=event.event,
                    envelope_ref=event.envelope_id,
                    generated_at=event.generated_at,
                    outcome=outcome,
                )
            )
            uow.commit()
    except IntegrityError:
        outcome = "duplicate"  # the same event, delivered twice at once
    log.info("Connect %s for envelope %s: %s", event.event, event.envelope_id, outcome)
    return outcome


def _seen(session: Session, event: ConnectEvent) -> bool:
    return (
        session.scalar(select(ProviderEvent.id).where(ProviderEvent.event_key == event.key))
        is not None
    )


def _apply(uow: UnitOfWork, event: ConnectEvent) -> str:
    session = uow.session
    if _seen(session, event):
        return "duplicate"
    envelope = session.scalar(
        select(Envelope)
        .where(Envelope.provider == PROVIDER, Envelope.provider_ref == event.envelope_id)
        .with_for_update(of=Envelope)
    )
    if envelope is None:
        log.warning(
            "Connect event %s for an envelope we do not know: %s", event.event, event.envelope_id
        )
        return "unknown envelope"
    if event.event.startswith("recipient-"):
        return _apply_recipient(envelope, event)
    if (
        event.generated_at is not None
        and envelope.provider_updated_at is not None
        and event.generated_at < envelope.provider_updated_at
    ) or envelope.status in {ENVELOPE_COMPLETED, ENVELOPE_DECLINED, ENVELOPE_VOIDED}:
        return "stale"
    if event.generated_at is not None:
        envelope.provider_updated_at = event.generated_at
    if event.event == "envelope-completed":
        _complete(uow, envelope)
        return "completed"
    if event.event in {"envelope-declined", "envelope-voided"}:
        _close(uow, envelope, declined=event.event == "envelope-declined", reason=_reason(event))
        return event.event.removeprefix("envelope-")
    return "noted"


def _apply_recipient(envelope: Envelope, event: ConnectEvent) -> str:
    signer = next(
        (s for s in envelope.signers if s.provider_recipient_id == event.recipient_id), None
    )
    if signer is None:
        return "unknown recipient"
    if event.event == "recipient-completed" and signer.status != SIGNER_SIGNED:
        signer.status = SIGNER_SIGNED
        signer.signed_at = event.generated_at or utcnow()
        return "recipient signed"
    if event.event == "recipient-declined":
        signer.status = SIGNER_DECLINED
        return "recipient declined"
    return "noted"


def _reason(event: ConnectEvent) -> str:
    summary = event.data.get("envelopeSummary") or {}
    if event.event == "envelope-voided":
        return str(summary.get("voidedReason") or "voided at DocuSign")
    for signer in (summary.get("recipients") or {}).get("signers", []) or []:
        if signer.get("declinedReason"):
            return f"declined by {signer.get('name', 'a signer')}: {signer['declinedReason']}"
    return "declined at DocuSign"


def _close(uow: UnitOfWork, envelope: Envelope, *, declined: bool, reason: str) -> None:
    envelope.status = ENVELOPE_DECLINED if declined else ENVELOPE_VOIDED
    envelope.reason = reason
    document: Document = envelope.document
    document.status = envelope.document_status_before
    audit.record_event(
        uow.session,
        tag=f"document.{'declined' if declined else 'voided'}",
        subject=document,
        actor=None,
        data={"provider": PROVIDER, "envelope": envelope.provider_ref, "reason": reason},
    )
    if declined:
        billing.publish(
            uow, "document.declined", document, billing.document_event_data(document, reason=reason)
        )


def _complete(uow: UnitOfWork, envelope: Envelope) -> None:
    """Store DocuSign's signed PDF and certificate, mark the document signed and write the
    invoicing event, all in the transaction that records the Connect event."""
    assert envelope.provider_ref is not None
    connection = connection_for(uow.settings)
    try:
        signed = envelopes.download(connection, envelope.provider_ref, "combined")
        certificate = envelopes.download(connection, envelope.provider_ref, "certificate")
    except (ApiException, TransportError, OSError) as exc:
        # Nothing is recorded: the 503 makes Connect deliver the event again later.
        status = getattr(exc, "status", None) or "no answer"
        raise Unavailable(
            f"DocuSign could not give the signed documents ({status}); send the event again"
        ) from exc
    document: Document = envelope.document
    stored = store_file(
        uow, document, kind="signed", version=envelope.document_version, data=signed, retain=True
    )
    store_file(
        uow,
        document,
        kind="certificate",
        version=envelope.document_version,
        data=certificate,
        retain=True,
    )
    envelope.status = ENVELOPE_COMPLETED
    envelope.completed_at = utcnow()
    for signer in envelope.signers:
        if signer.role == SIGNER and signer.status != SIGNER_SIGNED:
            signer.status = SIGNER_SIGNED
            signer.signed_at = signer.signed_at or envelope.completed_at
    document.status = SIGNED
    billing.publish(uow, "document.signed", document)
    invoices = invoicing.on_signed(uow, document)
    audit.record_event(
        uow.session,
        tag="document.signed",
        subject=document,
        actor=None,
        data={
            "provider": PROVIDER,
            "sha256": stored.sha256,
            "invoices": [str(i.id) for i in invoices],
        },
    )
    uow.enqueue("documents.confirm_order", document_id=str(document.id))


# --- reconciliation -----------------------------------------------------------------------

POLL_INTERVAL = timedelta(minutes=15)
"""DocuSign's polling limit: no envelope is asked about more often than this."""
RECONCILE_BATCH = 100


def reconcile(uow: UnitOfWork) -> int:
    """Ask DocuSign, in one batch, about sent envelopes whose status has not moved for a
    while (a Connect event may have been lost), and apply what it says; the number asked."""
    now = utcnow()
    quiet_since = now - timedelta(minutes=uow.settings.docusign_reconcile_after_minutes)
    with uow:
        quiet = uow.session.scalars(
            select(Envelope)
            .where(
                Envelope.provider == PROVIDER,
                Envelope.status == ENVELOPE_SENT,
                Envelope.provider_ref.is_not(None),
                func.coalesce(Envelope.provider_updated_at, Envelope.created_at) <= quiet_since,
                (Envelope.polled_at.is_(None)) | (Envelope.polled_at <= now - POLL_INTERVAL),
            )
            .order_by(Envelope.polled_at.nulls_first(), Envelope.created_at)
            .limit(RECONCILE_BATCH)
            .with_for_update(of=Envelope, skip_locked=True)
        ).all()
        refs = {str(envelope.provider_ref): envelope.id for envelope in quiet}
        for envelope in quiet:
            envelope.polled_at = now
        uow.commit()
    if not refs:
        return 0
    for status in envelopes.statuses(connection_for(uow.settings), envelope_ids=list(refs)):
        if status.status in {"completed", "declined", "voided"} and status.envelope_id in refs:
            _settle(uow, refs[status.envelope_id], status)
    return len(refs)


def _settle(uow: UnitOfWork, envelope_id: uuid.UUID, status: envelopes.EnvelopeStatus) -> None:
    with uow:
        envelope = _locked(uow.session, envelope_id)
        if envelope is None or envelope.status != ENVELOPE_SENT:
            return
        if status.status == "completed":
            _complete(uow, envelope)
        else:
            reason = status.voided_reason or f"{status.status} at DocuSign"
            _close(uow, envelope, declined=status.status == "declined", reason=reason)
        log.warning(
            "reconciliation found envelope %s %s at DocuSign (no Connect event applied)",
            status.envelope_id,
            status.status,
        )
        uow.commit()


# --- actions on a sent envelope -------------------------------------------------------------


def _call(action: str, call: Any) -> Any:
    try:
        return call()
    except ApiException as exc:
        if exc.status == 429 or (exc.status or 0) >= 500:
            raise Unavailable(f"DocuSign answered {exc.status} to {action}; try again") from exc
        raise Conflict(f"DocuSign refused to {action}: {exc.status} {exc.reason}") from exc
    except (TransportError, OSError) as exc:
        raise Unavailable(f"DocuSign cannot be reached to {action}") from exc


def void_at_docusign(settings: Settings, envelope_id: str, reason: str) -> None:
    connection = connection_for(settings)
    client, account_id = connection.api_client()
    _call(
        "void the envelope",
        lambda: EnvelopesApi(client).update(
            account_id,
            envelope_id,
            envelope=DocuSignEnvelope(status="voided", voided_reason=reason[:200]),
            _request_timeout=connection.timeout,
        ),
    )


def resend_at_docusign(settings: Settings, envelope_id: str) -> None:
    connection = connection_for(settings)
    client, account_id = connection.api_client()
    _call(
        "resend the envelope",
        lambda: EnvelopesApi(client).update(
            account_id,
            envelope_id,
            resend_envelope="true",
            envelope=DocuSignEnvelope(),
            _request_timeout=connection.timeout,
        ),
    )


def recipient_view(
    settings: Settings,
    envelope_id: str,
    *,
    client_user_id: str,
    name: str,
    email: str,
    return_url: str,
) -> str:
    connection = connection_for(settings)
    client, account_id = connection.api_client()
    view = _call(
        "open a signing view",
        lambda: EnvelopesApi(client).create_recipient_view(
            account_id,
            envelope_id,
            recipient_view_request=RecipientViewRequest(
                authentication_method="none",
                client_user_id=client_user_id,
                user_name=name,
                email=email,
                return_url=return_url,
            ),
            _request_timeout=connection.timeout,
        ),
    )
    return str(view.url)
