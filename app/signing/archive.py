"""Keeping signed documents verifiable: checking one as a relying party would, and
extending the timestamp chain of those whose last timestamp certificate expires soon."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from sqlalchemy import select

from app.audit import services as audit
from app.documents.models import SIGNED, Document
from app.errors import NotFound
from app.signing.local_ca import trust_roots
from app.signing.long_term import LongTermCheck, Sealing, check, extend, last_timestamp_expiry
from app.uow import UnitOfWork


def relying_party_roots(uow: UnitOfWork) -> list[asn1_x509.Certificate]:
    return [
        asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))
        for c in trust_roots(uow.settings.instance_dir)
    ]


def _signed_bytes(uow: UnitOfWork, document: Document) -> bytes:
    file = document.file("signed")
    if file is None:
        raise NotFound(f"{document.number} has no signed copy")
    return uow.storage.get(file.storage_key, file.storage_version_id, sha256=file.sha256)


def verify_document(uow: UnitOfWork, number: str) -> LongTermCheck:
    with uow:
        document = uow.session.scalar(select(Document).where(Document.number == number))
        if document is None:
            raise NotFound(f"no document {number}")
        return check(_signed_bytes(uow, document), relying_party_roots(uow))


def verify_file(uow: UnitOfWork, pdf: bytes) -> LongTermCheck:
    return check(pdf, relying_party_roots(uow))


@dataclass(frozen=True)
class Extended:
    number: str
    old_sha256: str
    new_sha256: str
    expired_at: datetime | None


def due_for_extension(uow: UnitOfWork, *, within_days: int) -> list[uuid.UUID]:
    """Signed documents whose last document timestamp's certificate expires within the
    window (read from each signed copy: the PDF itself is the record)."""
    limit = datetime.now(UTC) + timedelta(days=within_days)
    due = []
    with uow:
        for document in uow.session.scalars(select(Document).where(Document.status == SIGNED)):
            if document.file("signed") is None:
                continue
            expiry = last_timestamp_expiry(_signed_bytes(uow, document))
            if expiry is not None and expiry <= limit:
                due.append(document.id)
    return due


def extend_document(uow: UnitOfWork, document_id: uuid.UUID) -> Extended:
    """Add a document timestamp; the extended PDF is a new object version of the signed
    copy (the previous version stays in storage), with its sha256 and an audit event."""
    with uow:
        document = uow.session.scalar(
            select(Document).where(Document.id == document_id).with_for_update(of=Document)
        )
        assert document is not None
        file = document.file("signed")
        assert file is not None
        old = uow.storage.get(file.storage_key, file.storage_version_id, sha256=file.sha256)
        expired_at = last_timestamp_expiry(old)
        new = extend(old, Sealing.from_settings(uow.settings))
        stored = uow.storage.put(file.storage_key, new, content_type=file.content_type, retain=True)
        uow.stored(stored)
        old_sha256, old_version = file.sha256, file.storage_version_id
        file.storage_version_id = stored.version_id
        file.sha256 = stored.sha256
        file.size = stored.size
        audit.record_event(
            uow.session,
            tag="document.timestamp_extended",
            subject=document,
            actor=None,
            data={
                "old_sha256": old_sha256,
                "old_version_id": old_version,
                "sha256": stored.sha256,
                "version_id": stored.version_id,
                "previous_timestamp_expires": expired_at.isoformat() if expired_at else None,
            },
        )
        uow.commit()
        return Extended(document.number, old_sha256, stored.sha256, expired_at)
