"""Signing with the built-in signer: a signer opens their one-time link, reads the PDF out
for signature, and signs by typing their name; the last signature completes the document
(`app/signing/completion.py`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit import services as audit
from app.db import utcnow
from app.documents import validity
from app.errors import Conflict, FieldError, Gone, InvalidInput, NotFound
from app.signing.completion import complete, document_language
from app.signing.long_term import SealingUnavailable
from app.signing.models import (
    ENVELOPE_SENT,
    SIGNER_SIGNED,
    Envelope,
    Signer,
)
from app.signing.names import same_name
from app.signing.sending import token_hash
from app.uow import UnitOfWork

LINK_UNKNOWN = "this signing link is not valid"
LINK_USED = "this signing link has been used: the document is signed"
LINK_EXPIRED = "this signing link has expired; ask the sender for a new one"
NAME_MISSING = "type your full name to sign"
CONSENT_MISSING = "consent to sign electronically is required"
"""What the built-in signer tells a customer; the signing pages say each in the document's
language."""


def _signer_for_token(session: Session, token: str, *, lock: bool = False) -> Signer:
    query = select(Signer).where(Signer.token_hash == token_hash(token))
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
        for other in signer.envelope.signing
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


def link_language(uow: UnitOfWork, token: str) -> str | None:
    """The language of the document behind a signing link, used or not; None for a link
    that never was (or was replaced by a reminder's)."""
    with uow:
        signer = uow.session.scalar(select(Signer).where(Signer.token_hash == token_hash(token)))
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
        completed = all(s.status == SIGNER_SIGNED for s in envelope.signing)
        if completed:
            try:
                complete(uow, envelope, document)
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
