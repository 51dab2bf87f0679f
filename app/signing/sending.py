"""Sending a document for signature: who may send, to whom, in what order and on what
schedule. With the built-in signer each signer gets a one-time link (the token itself is
never stored, only its SHA-256); with DocuSign an envelope is recorded and a job sends it.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from app.audit import services as audit
from app.billing import services as billing
from app.db import utcnow
from app.documents import validity
from app.documents.models import (
    APPROVED,
    DRAFT,
    PENDING_APPROVAL,
    READY,
    SENDING,
    SENT,
    Document,
)
from app.errors import Conflict, FieldError, Forbidden, InvalidInput, NotFound
from app.mail import events as mail
from app.signing.models import (
    CARBON_COPY,
    ENVELOPE_SENDING,
    ENVELOPE_SENT,
    SIGNER,
    SIGNER_WAITING,
    Envelope,
    Signer,
)
from app.uow import UnitOfWork
from app.users.models import User

SENDER_ROLES = frozenset({"support", "manager", "admin"})


@dataclass(frozen=True)
class SignerRequest:
    name: str
    email: str
    routing_order: int
    embedded: bool = False
    """DocuSign only: the signer signs in a view the sales person opens for them."""
    signing_group: str | None = None
    """DocuSign only: any member of this signing group of the account may sign here."""
    title: str = ""
    """The signer's position, shown in their signature block."""


@dataclass(frozen=True)
class Schedule:
    """Reminders and expiry for one envelope; None takes the configured default."""

    reminder_after_days: int | None = None
    reminder_every_days: int | None = None
    expire_after_days: int | None = None


@dataclass(frozen=True)
class SigningLink:
    signer_id: uuid.UUID
    name: str
    email: str
    routing_order: int
    url: str
    expires_at: datetime


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def send_for_signature(
    uow: UnitOfWork,
    document_id: uuid.UUID,
    *,
    signers: list[SignerRequest],
    actor: User,
    carbon_copies: list[SignerRequest] | None = None,
    schedule: Schedule | None = None,
    via: str = "page",
) -> list[SigningLink]:
    """Send where jobs run (a worker in the production shape) and return each signer's link
    (none with DocuSign, which writes to the signers itself)."""
    if actor.role not in SENDER_ROLES:
        raise Forbidden(f"a {actor.role} user cannot send documents for signature")
    result = uow.call_job(
        "signing.send",
        {
            "document_id": str(document_id),
            "signers": [asdict(s) for s in signers],
            "carbon_copies": [asdict(c) for c in carbon_copies or []],
            "schedule": asdict(schedule or Schedule()),
            "actor_id": str(actor.id),
            "via": via,
        },
    )
    return [
        SigningLink(
            signer_id=uuid.UUID(link["signer_id"]),
            name=link["name"],
            email=link["email"],
            routing_order=link["routing_order"],
            url=link["url"],
            expires_at=datetime.fromisoformat(link["expires_at"]),
        )
        for link in result["links"]
    ]


def _start_docusign(
    uow: UnitOfWork,
    document: Document,
    version: int,
    sha256: str,
    signers: list[SignerRequest],
    carbon_copies: list[SignerRequest],
    actor: User,
    schedule: Schedule,
    via: str,
) -> None:
    """Record the envelope as `sending` and leave the call to DocuSign to a job, which
    retries while DocuSign is busy; Connect events then move it on."""
    envelope = Envelope(
        reminder_after_days=schedule.reminder_after_days,
        reminder_every_days=schedule.reminder_every_days,
        expire_after_days=schedule.expire_after_days,
        document_id=document.id,
        document_version=version,
        provider="docusign",
        sent_via=via,
        status=ENVELOPE_SENDING,
        unsigned_sha256=sha256,
        sent_by_id=actor.id,
        document_status_before=document.status,
        reason="waiting for DocuSign to accept the envelope",
    )
    uow.session.add(envelope)
    uow.session.flush()
    recipients = [(s, SIGNER) for s in sorted(signers, key=lambda s: s.routing_order)]
    recipients += [(c, CARBON_COPY) for c in carbon_copies]
    for number, (request, role) in enumerate(recipients, start=1):
        uow.session.add(
            Signer(
                envelope_id=envelope.id,
                name=request.name,
                title=request.title or None,
                email=request.email,
                routing_order=request.routing_order,
                role=role,
                provider_recipient_id=str(number),
                embedded=request.embedded and role == SIGNER,
                signing_group=request.signing_group if role == SIGNER else None,
                status=SIGNER_WAITING,
            )
        )
    document.status = SENDING
    audit.record_event(
        uow.session,
        tag="document.sending",
        subject=document,
        actor=actor,
        data={
            "provider": "docusign",
            "envelope": str(envelope.id),
            "signers": [{"name": s.name, "email": s.email} for s in signers],
            "sha256": sha256,
        },
    )
    uow.enqueue("signing.docusign_send", envelope_id=str(envelope.id))


def send_here(
    uow: UnitOfWork,
    document_id: uuid.UUID,
    *,
    signers: list[SignerRequest],
    actor: User,
    carbon_copies: list[SignerRequest] | None = None,
    schedule: Schedule | None = None,
    via: str = "page",
) -> list[SigningLink]:
    """The sending itself, in one transaction: with the built-in signer, one-time links;
    with DocuSign, an envelope that a job sends (no links: DocuSign writes to signers)."""
    carbon_copies = carbon_copies or []
    schedule = schedule or Schedule()
    if uow.settings.signing != "docusign" and any(s.signing_group for s in signers):
        raise InvalidInput(
            "the built-in signer has no signing groups; name the signer",
            [FieldError("/signers", "signing_group needs CONTRACTDESK_SIGNING=docusign")],
        )
    if actor.role not in SENDER_ROLES:
        raise Forbidden(f"a {actor.role} user cannot send documents for signature")
    if not signers:
        raise InvalidInput(
            "a document is sent to at least one signer",
            [FieldError("/signers/0/name", "name a signer", "required")],
        )
    with uow:
        session = uow.session
        document = session.scalar(
            select(Document).where(Document.id == document_id).with_for_update(of=Document)
        )
        if document is None:
            raise NotFound(f"no document {document_id}")
        validity.ensure_valid(document)
        if document.status == PENDING_APPROVAL:
            raise Conflict(
                f"document {document.number} needs a manager's approval before sending",
                code="needs_approval",
            )
        if document.status not in {DRAFT, APPROVED}:
            raise Conflict(
                f"document {document.number} is {document.status}; it cannot be sent",
                code="wrong_status",
            )
        if document.render_status != READY:
            raise Conflict(
                f"document {document.number} has no files for version "
                f"{document.current_version} yet ({document.render_status}); send it once "
                "they are ready",
                code="not_rendered",
            )
        pdf = document.file("pdf")
        assert pdf is not None, "every rendered document has a PDF"
        if uow.settings.signing == "docusign":
            _start_docusign(
                uow, document, pdf.version, pdf.sha256, signers, carbon_copies, actor, schedule, via
            )
            uow.commit()
            return []
        envelope = Envelope(
            document_id=document.id,
            document_version=pdf.version,
            provider="builtin",
            sent_via=via,
            status=ENVELOPE_SENT,
            unsigned_sha256=pdf.sha256,
            sent_by_id=actor.id,
            document_status_before=document.status,
        )
        session.add(envelope)
        session.flush()
        lifetime = (
            timedelta(days=schedule.expire_after_days)
            if schedule.expire_after_days
            else timedelta(hours=uow.settings.signing_link_hours)
        )
        expires_at = utcnow() + lifetime
        links = []
        for request in sorted(signers, key=lambda s: s.routing_order):
            token = secrets.token_urlsafe(32)
            signer = Signer(
                envelope_id=envelope.id,
                name=request.name,
                title=request.title or None,
                email=request.email,
                routing_order=request.routing_order,
                status=SIGNER_WAITING,
                token_hash=token_hash(token),
                token_expires_at=expires_at,
            )
            session.add(signer)
            session.flush()
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
            mail.signing_link(
                uow, document, kind=mail.INVITATION, key=f"invitation:{signer.id}",
                name=signer.name, email=signer.email, link=links[-1].url, expires_at=expires_at,
                sender=actor,
            )  # fmt: skip
        for copy in carbon_copies:  # told once it is signed, with the signed copy
            session.add(
                Signer(
                    envelope_id=envelope.id,
                    name=copy.name,
                    email=copy.email,
                    routing_order=copy.routing_order,
                    role=CARBON_COPY,
                    status=SIGNER_WAITING,
                )
            )
        document.status = SENT
        audit.record_event(
            session,
            tag="document.sent",
            subject=document,
            actor=actor,
            data={
                "provider": "builtin",
                "envelope": str(envelope.id),
                "signers": [{"name": s.name, "email": s.email} for s in signers],
                "sha256": pdf.sha256,
            },
        )
        billing.publish(uow, "document.sent", document)
        uow.commit()
        return links
