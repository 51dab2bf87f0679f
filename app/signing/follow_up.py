"""While a document is out for signature: withdrawing it (void), reminding the signers
whose turn it is, and DocuSign's embedded signing view for a signer beside the sender.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit import services as audit
from app.db import utcnow
from app.documents.models import (
    APPROVED,
)
from app.errors import Conflict, FieldError, Forbidden, InvalidInput, NotFound
from app.mail import events as mail
from app.signing.docusign import actions
from app.signing.models import (
    ENVELOPE_SENDING,
    ENVELOPE_SENT,
    ENVELOPE_VOIDED,
    SIGNER,
    SIGNER_WAITING,
    Envelope,
)
from app.signing.sending import SENDER_ROLES, SigningLink, token_hash
from app.uow import UnitOfWork
from app.users.models import User


def _current_envelope(session: Session, document_id: uuid.UUID) -> Envelope:
    envelope = session.scalar(
        select(Envelope)
        .where(Envelope.document_id == document_id)
        .order_by(Envelope.created_at.desc())
        .limit(1)
        .with_for_update(of=Envelope)
    )
    if envelope is None:
        raise Conflict("the document has not been sent for signature", code="not_sent")
    return envelope


def void(uow: UnitOfWork, document_id: uuid.UUID, *, reason: str, actor: User) -> None:
    """Withdraw a document from signature, with the reason the signers are told; it goes
    back to where it was before it was sent."""
    if actor.role not in SENDER_ROLES:
        raise Forbidden(f"a {actor.role} user cannot void envelopes")
    if not reason.strip():
        raise InvalidInput("say why", [FieldError("/reason", "a reason is required", "required")])
    with uow:
        envelope = _current_envelope(uow.session, document_id)
        if envelope.status not in {ENVELOPE_SENDING, ENVELOPE_SENT}:
            raise Conflict(
                f"the envelope is {envelope.status}; only one out for signature voids",
                code="not_sent",
            )
        if envelope.provider == "docusign" and envelope.provider_ref:
            actions.void_at_docusign(uow.settings, envelope.provider_ref, reason)
        envelope.status = ENVELOPE_VOIDED
        envelope.reason = f"voided by {actor.name}: {reason}"
        envelope.next_attempt_at = None
        envelope.document.status = envelope.document_status_before or APPROVED
        audit.record_event(
            uow.session,
            tag="document.voided",
            subject=envelope.document,
            actor=actor,
            data={"provider": envelope.provider, "reason": reason},
        )
        uow.commit()


def remind(uow: UnitOfWork, document_id: uuid.UUID, *, actor: User) -> list[SigningLink]:
    """Remind the signers whose turn it is: DocuSign writes to them again; the built-in
    signer, which sends no mail, gives them fresh links (the old ones stop working) for
    the sender to pass on."""
    if actor.role not in SENDER_ROLES:
        raise Forbidden(f"a {actor.role} user cannot send reminders")
    with uow:
        envelope = _current_envelope(uow.session, document_id)
        if envelope.status != ENVELOPE_SENT:
            raise Conflict(
                f"the envelope is {envelope.status}; only one out for signature", code="not_sent"
            )
        links: list[SigningLink] = []
        if envelope.provider == "docusign" and envelope.provider_ref:
            actions.resend_at_docusign(uow.settings, envelope.provider_ref)
        else:
            links = _fresh_links(uow, envelope)
            for link in links:
                mail.signing_link(
                    uow, envelope.document, kind=mail.REMINDER,
                    key=f"reminder:{link.signer_id}:{link.expires_at.isoformat()}",
                    name=link.name, email=link.email, link=link.url,
                    expires_at=link.expires_at, sender=actor,
                )  # fmt: skip
        audit.record_event(
            uow.session,
            tag="document.reminded",
            subject=envelope.document,
            actor=actor,
            data={"provider": envelope.provider, "signers": [link.email for link in links]},
        )
        uow.commit()
        return links


def _fresh_links(uow: UnitOfWork, envelope: Envelope) -> list[SigningLink]:
    waiting = [s for s in envelope.signers if s.status == SIGNER_WAITING and s.role == SIGNER]
    if not waiting:
        return []
    turn = min(s.routing_order for s in waiting)
    expires_at = utcnow() + timedelta(hours=uow.settings.signing_link_hours)
    links = []
    for signer in waiting:
        if signer.routing_order != turn:
            continue
        token = secrets.token_urlsafe(32)
        signer.token_hash = token_hash(token)
        signer.token_expires_at = expires_at
        links.append(
            SigningLink(
                signer.id,
                signer.name,
                signer.email,
                signer.routing_order,
                f"{uow.settings.public_url.rstrip('/')}/sign/{token}",
                expires_at,
            )
        )
    return links


def signing_view(
    uow: UnitOfWork, document_id: uuid.UUID, signer_id: uuid.UUID, *, return_url: str, actor: User
) -> str:
    """For an embedded signer who is with the sales person: DocuSign's signing view URL."""
    if actor.role not in SENDER_ROLES:
        raise Forbidden(f"a {actor.role} user cannot open signing views")
    with uow:
        envelope = _current_envelope(uow.session, document_id)
        signer = next((s for s in envelope.signers if s.id == signer_id), None)
        if signer is None:
            raise NotFound(f"no signer {signer_id} on this document's envelope")
        if envelope.status != ENVELOPE_SENT or not envelope.provider_ref:
            raise Conflict(f"the envelope is {envelope.status}; nobody can sign it now")
        if not signer.embedded:
            raise Conflict(f"{signer.name} signs from DocuSign's email, not in an embedded view")
        url = actions.recipient_view(
            uow.settings,
            envelope.provider_ref,
            client_user_id=str(signer.id),
            name=signer.name,
            email=signer.email,
            return_url=return_url,
        )
        audit.record_event(
            uow.session,
            tag="document.signing_view",
            subject=envelope.document,
            actor=actor,
            data={"signer": signer.email},
        )
        uow.commit()
        return url
