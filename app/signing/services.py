"""Sending documents for signature and recording signatures (built-in signer).

Each signer gets a one-time link; the token itself is never stored, only its SHA-256.
When the last signer signs, the signed PDF (the shown PDF, then the audit certificate
and a PAdES signature in each signer's block) is stored and the invoices due are written
to the ledger and the outbox in the same transaction.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit import services as audit
from app.billing import invoicing
from app.billing import services as billing
from app.db import utcnow
from app.documents import validity
from app.documents.files import store_file
from app.documents.models import (
    APPROVED,
    DRAFT,
    PENDING_APPROVAL,
    READY,
    SENDING,
    SENT,
    SIGNED,
    Document,
)
from app.errors import Conflict, FieldError, Forbidden, Gone, InvalidInput, NotFound
from app.jobs.calls import call_job
from app.mail import events as mail
from app.signing.certificate_labels import labels_for
from app.signing.certificate_page import Certificate, SignatureEvent
from app.signing.docusign import lifecycle
from app.signing.long_term import Sealing, SealingUnavailable, seal
from app.signing.models import (
    CARBON_COPY,
    ENVELOPE_COMPLETED,
    ENVELOPE_SENDING,
    ENVELOPE_SENT,
    ENVELOPE_VOIDED,
    SIGNER,
    SIGNER_SIGNED,
    SIGNER_WAITING,
    Envelope,
    Signer,
)
from app.signing.names import same_name
from app.signing.signature_blocks import signed_copy
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


LINK_UNKNOWN = "this signing link is not valid"
LINK_USED = "this signing link has been used: the document is signed"
LINK_EXPIRED = "this signing link has expired; ask the sender for a new one"
NAME_MISSING = "type your full name to sign"
CONSENT_MISSING = "consent to sign electronically is required"
"""What the built-in signer tells a customer; the signing pages say each in the document's
language."""


def _token_hash(token: str) -> str:
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
    result = call_job(
        uow,
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
                token_hash=_token_hash(token),
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


def _signer_for_token(session: Session, token: str, *, lock: bool = False) -> Signer:
    query = select(Signer).where(Signer.token_hash == _token_hash(token))
    signer = session.scalar(query)
    if signer is None:
        raise NotFound(LINK_UNKNOWN)
    if lock:
        # Lock the envelope so two signers finishing at once cannot both complete it.
        session.execute(
            select(Envelope.id).where(Envelope.id == signer.envelope_id).with_for_update()
        )
        session.refresh(signer)
    if signer.status == SIGNER_SIGNED:
        raise Gone(LINK_USED)
    if signer.token_expires_at is not None and signer.token_expires_at < utcnow():
        raise Gone(LINK_EXPIRED)
    if signer.envelope.status != ENVELOPE_SENT:
        raise Gone(f"this envelope is {signer.envelope.status}")
    return signer


def _waiting_for(signer: Signer) -> list[Signer]:
    return [
        other
        for other in signer.envelope.signers
        if other.routing_order < signer.routing_order and other.status != SIGNER_SIGNED
    ]


@dataclass(frozen=True)
class SigningView:
    signer_name: str
    signer_email: str
    document_id: uuid.UUID
    document_number: str
    customer_name: str
    total: str
    currency: str
    language: str
    waiting_for: list[str]


def open_signing_link(uow: UnitOfWork, token: str) -> SigningView:
    with uow:
        signer = _signer_for_token(uow.session, token)
        document = signer.envelope.document
        return SigningView(
            signer_name=signer.name,
            signer_email=signer.email,
            document_id=document.id,
            document_number=document.number,
            customer_name=document.customer["name"],
            total=document.totals["total"],
            currency=document.currency,
            language=document_language(document),
            waiting_for=[other.name for other in _waiting_for(signer)],
        )


def record_opened(uow: UnitOfWork, token: str, *, ip_address: str, user_agent: str) -> None:
    """The first time a signer opens their link, for the audit certificate."""
    with uow:
        signer = _signer_for_token(uow.session, token)
        if signer.opened_at is None:
            signer.opened_at = utcnow()
            signer.opened_ip = ip_address[:64]
            signer.opened_user_agent = user_agent[:1000]
            uow.commit()


def document_language(document: Document) -> str:
    return str(document.data.get("language") or "en")


def link_language(uow: UnitOfWork, token: str) -> str | None:
    """The language of the document behind a signing link, used or not; None for a link
    that never was (or was replaced by a reminder's)."""
    with uow:
        signer = uow.session.scalar(select(Signer).where(Signer.token_hash == _token_hash(token)))
        return None if signer is None else document_language(signer.envelope.document)


@dataclass(frozen=True)
class UnsignedPdf:
    """Where the PDF out for signature is stored, and its checksum: the same bytes for
    as long as the link lasts."""

    storage_key: str
    version_id: str
    sha256: str


def unsigned_pdf_ref(uow: UnitOfWork, token: str) -> UnsignedPdf:
    with uow:
        signer = _signer_for_token(uow.session, token)
        envelope = signer.envelope
        file = envelope.document.file("pdf", envelope.document_version)
        assert file is not None
        return UnsignedPdf(file.storage_key, file.storage_version_id, file.sha256)


def unsigned_pdf_for_token(uow: UnitOfWork, token: str) -> bytes:
    ref = unsigned_pdf_ref(uow, token)
    return uow.storage.get(ref.storage_key, ref.version_id, sha256=ref.sha256)


def sign(
    uow: UnitOfWork,
    token: str,
    *,
    typed_name: str,
    consent: bool,
    ip_address: str,
    user_agent: str,
) -> bool:
    """Record one signature; return True when it completed the document."""
    typed_name = " ".join(typed_name.split())
    errors = []
    if not typed_name:
        errors.append(FieldError("/typed_name", NAME_MISSING))
    if not consent:
        errors.append(FieldError("/consent", CONSENT_MISSING))
    if errors:
        raise InvalidInput("; ".join(e.detail for e in errors), errors)
    with uow:
        session = uow.session
        signer = _signer_for_token(session, token, lock=True)
        validity.ensure_valid(signer.envelope.document)
        if not same_name(typed_name, signer.name):
            audit.record_event(
                session,
                tag="document.signature_refused",
                subject=signer.envelope.document,
                actor=None,
                actor_label=signer.email,
                data={"rule": "signer-name-match", "typed": typed_name, "expected": signer.name},
            )
            uow.commit()
            raise InvalidInput(
                f"the name typed, “{typed_name}”, does not match the name {signer.name} "
                "this document is sent to; type that name to sign (case, spacing and accents "
                "do not matter)",
                [
                    FieldError(
                        "/typed_name",
                        "does not match the signer's name",
                        "name_mismatch",
                        {"name": signer.name},
                    )
                ],
            )
        waiting = _waiting_for(signer)
        if waiting:
            raise Conflict(
                "this document is waiting for " + ", ".join(s.name for s in waiting) + " to sign"
            )
        signer.status = SIGNER_SIGNED
        signer.signed_at = utcnow()
        signer.typed_name = typed_name[:200]
        signer.ip_address = ip_address[:64]
        signer.user_agent = user_agent[:1000]
        envelope = signer.envelope
        document = envelope.document
        audit.record_event(
            session,
            tag="document.signer_signed",
            subject=document,
            actor=None,
            actor_label=signer.email,
            data={"name": signer.typed_name, "ip": signer.ip_address, "ua": signer.user_agent},
        )
        completed = all(s.status == SIGNER_SIGNED for s in envelope.signers)
        if completed:
            try:
                _complete(uow, envelope, document)
            except SealingUnavailable as exc:
                # the signature stands; the seal is tried again by signing.seal_due
                audit.record_event(
                    session,
                    tag="document.seal_deferred",
                    subject=document,
                    actor=None,
                    data={"reason": exc.detail},
                )
                completed = False
        uow.commit()
        return completed


def seal_waiting(uow: UnitOfWork, envelope_id: uuid.UUID) -> bool:
    """Seal an envelope whose signers have all signed but whose seal failed (TSA or OCSP
    down); raise SealingUnavailable, a retryable error, while it still cannot be sealed."""
    with uow:
        envelope = uow.session.scalar(
            select(Envelope).where(Envelope.id == envelope_id).with_for_update(of=Envelope)
        )
        if envelope is None or envelope.provider != "builtin" or envelope.status != ENVELOPE_SENT:
            return False
        if not all(s.status == SIGNER_SIGNED for s in envelope.signers):
            return False
        _complete(uow, envelope, envelope.document)
        uow.commit()
        return True


def envelopes_to_seal(uow: UnitOfWork) -> list[uuid.UUID]:
    with uow:
        sent = uow.session.scalars(
            select(Envelope).where(Envelope.status == ENVELOPE_SENT, Envelope.provider == "builtin")
        )
        return [
            e.id for e in sent if e.signers and all(s.status == SIGNER_SIGNED for s in e.signers)
        ]


def _complete(uow: UnitOfWork, envelope: Envelope, document: Document) -> None:
    unsigned = document.file("pdf", envelope.document_version)
    assert unsigned is not None
    pdf = uow.storage.get(unsigned.storage_key, unsigned.storage_version_id, sha256=unsigned.sha256)
    language = document_language(document)
    signers = [
        SignatureEvent(
            name=s.name,
            title=s.title or "",
            typed_name=s.typed_name or s.name,
            email=s.email,
            signed_at=s.signed_at or utcnow(),
            ip_address=s.ip_address or "",
            user_agent=s.user_agent or "",
            opened_at=s.opened_at,
            opened_ip=s.opened_ip or "",
            opened_user_agent=s.opened_user_agent or "",
        )
        for s in envelope.signers
    ]
    signed = signed_copy(
        pdf,
        Certificate(
            document_number=document.number,
            document_title=document.template_version.template.title,
            shown_sha256=envelope.unsigned_sha256,
            shown_size=len(pdf),
            signers=signers,
            seller_name=uow.settings.seller_name,
            sent_by=envelope.sent_by.name,
            sent_at=envelope.created_at,
            language=language,
            document_version=envelope.document_version,
        ),
        sign=functools.partial(
            seal,
            sealing=Sealing.from_settings(uow.settings),
            reason=labels_for(language)["reason"].format(
                number=document.number, seller=uow.settings.seller_name
            ),
        ),
    )
    stored = store_file(
        uow, document, kind="signed", version=envelope.document_version, data=signed, retain=True
    )
    mail.signed_copies(
        uow, document, stored, [(s.name, s.email) for s in envelope.signers], envelope.sent_by
    )
    envelope.status = ENVELOPE_COMPLETED
    envelope.completed_at = utcnow()
    document.status = SIGNED
    billing.publish(uow, "document.signed", document)
    invoices = invoicing.on_signed(uow, document)
    audit.record_event(
        uow.session,
        tag="document.signed",
        subject=document,
        actor=None,
        data={"sha256": stored.sha256, "invoices": [str(i.id) for i in invoices]},
    )
    uow.enqueue("documents.confirm_order", document_id=str(document.id))


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
            lifecycle.void_at_docusign(uow.settings, envelope.provider_ref, reason)
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
            lifecycle.resend_at_docusign(uow.settings, envelope.provider_ref)
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
        signer.token_hash = _token_hash(token)
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
        url = lifecycle.recipient_view(
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
