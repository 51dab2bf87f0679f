"""What becomes of an envelope at DocuSign: Connect events, each applied once, move it on
(signed, declined, voided); for envelopes that went quiet (a lost event), reconciliation
asks DocuSign in one batch and settles them the same way."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from datetime import timedelta

from docusign_esign.client.api_exception import ApiException
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from urllib3.exceptions import HTTPError as TransportError

from app.audit import services as audit
from app.billing import invoicing
from app.billing import services as billing
from app.db import utcnow
from app.documents.files import store_file
from app.documents.models import SIGNED, Document
from app.errors import Unauthenticated, Unavailable
from app.mail import events as mail
from app.signing.docusign import envelopes
from app.signing.docusign.connect import ConnectEvent, parse_event, signature_valid
from app.signing.docusign.lifecycle import PROVIDER, connection_for, locked
from app.signing.models import (
    ENVELOPE_COMPLETED,
    ENVELOPE_DECLINED,
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
    # DocuSign sends the signers and copies theirs; the sender hears from us
    mail.signed_copies(uow, document, stored, [], envelope.sent_by)
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
        envelope = locked(uow.session, envelope_id)
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
