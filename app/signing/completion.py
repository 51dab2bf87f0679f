"""Completing a document the built-in signer had out for signature: the signed PDF (the
shown PDF, then the audit certificate and a PAdES signature in each signer's block) is
stored, and the invoices due are written to the ledger and the outbox in the same
transaction. A seal that fails (TSA or OCSP down) is tried again by a sweep.
"""

from __future__ import annotations

import functools
import uuid

from sqlalchemy import select

from app.audit import services as audit
from app.billing import invoicing
from app.billing import services as billing
from app.db import utcnow
from app.documents.files import store_file
from app.documents.models import (
    SIGNED,
    Document,
)
from app.mail import events as mail
from app.signing.certificate_labels import labels_for
from app.signing.certificate_page import Certificate, SignatureEvent
from app.signing.long_term import Sealing, seal
from app.signing.models import (
    ENVELOPE_COMPLETED,
    ENVELOPE_SENT,
    SIGNER_SIGNED,
    Envelope,
)
from app.signing.signature_blocks import signed_copy
from app.uow import UnitOfWork


def document_language(document: Document) -> str:
    return str(document.data.get("language") or "en")


def seal_waiting(uow: UnitOfWork, envelope_id: uuid.UUID) -> bool:
    """Seal an envelope whose signers have all signed but whose seal failed (TSA or OCSP
    down); raise SealingUnavailable, a retryable error, while it still cannot be sealed."""
    with uow:
        envelope = uow.session.scalar(
            select(Envelope).where(Envelope.id == envelope_id).with_for_update(of=Envelope)
        )
        if envelope is None or envelope.provider != "builtin" or envelope.status != ENVELOPE_SENT:
            return False
        if not all(s.status == SIGNER_SIGNED for s in envelope.signing):
            return False
        complete(uow, envelope, envelope.document)
        uow.commit()
        return True


def envelopes_to_seal(uow: UnitOfWork) -> list[uuid.UUID]:
    with uow:
        sent = uow.session.scalars(
            select(Envelope).where(Envelope.status == ENVELOPE_SENT, Envelope.provider == "builtin")
        )
        return [
            e.id for e in sent if e.signing and all(s.status == SIGNER_SIGNED for s in e.signing)
        ]


def complete(uow: UnitOfWork, envelope: Envelope, document: Document) -> None:
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
        for s in envelope.signing
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
