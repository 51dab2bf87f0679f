"""A document's stored files: storing a rendered file, and reading one back verified."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from app.db import utcnow
from app.documents.models import Document, DocumentFile
from app.documents.records import get_document
from app.errors import NotFound
from app.titles.kbart import kbart_filename
from app.uow import UnitOfWork

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "signed": "application/pdf",
    "certificate": "application/pdf",
    "confirmation": "application/pdf",
    "kbart": "text/tab-separated-values; charset=utf-8",
}


def store_file(
    uow: UnitOfWork,
    document: Document,
    *,
    kind: str,
    version: int,
    data: bytes,
    retain: bool = False,
    created_at: datetime | None = None,
) -> DocumentFile:
    """Store bytes as a new object version and record where they are and their sha256
    (and when they were made: a rendered version's files carry that time inside)."""
    stored = uow.storage.put(
        f"documents/{document.id}/{kind}", data, content_type=CONTENT_TYPES[kind], retain=retain
    )
    uow.stored(stored)
    file = DocumentFile(
        document_id=document.id,
        kind=kind,
        version=version,
        content_type=CONTENT_TYPES[kind],
        storage_key=stored.key,
        storage_version_id=stored.version_id,
        sha256=stored.sha256,
        size=stored.size,
        created_at=created_at or utcnow(),
    )
    uow.session.add(file)
    return file


def file_name(document_number: str, kind: str, version: int) -> str:
    extension = {"docx": "docx", "xlsx": "xlsx", "csv": "csv", "kbart": "txt"}.get(kind, "pdf")
    return f"{document_number}-{kind}-v{version}.{extension}"


@dataclass(frozen=True)
class FileContent:
    document_number: str
    kind: str
    version: int
    content_type: str
    sha256: str
    data: bytes
    name: str | None = None
    """The file's own name where its format has a convention (KBART's)."""

    @property
    def filename(self) -> str:
        return self.name or file_name(self.document_number, self.kind, self.version)


def download_url(
    uow: UnitOfWork, document_id: uuid.UUID, kind: str, version: int | None = None
) -> str | None:
    """A short-lived URL straight to the stored version, where the store offers one."""
    with uow:
        document = get_document(uow.session, document_id)
        file = document.file(kind, version)
        if file is None:
            return None
        return uow.storage.presigned_url(
            file.storage_key,
            file.storage_version_id,
            filename=file_name(document.number, kind, file.version),
        )


def read_file(
    uow: UnitOfWork, document_id: uuid.UUID, kind: str, version: int | None = None
) -> FileContent:
    """The bytes of a stored file, verified against the sha256 recorded when it was stored."""
    with uow:
        document = get_document(uow.session, document_id)
        file = document.file(kind, version)
        if file is None:
            which = f"version {version} of the " if version else ""
            raise NotFound(f"document {document.number} has no {which}{kind} file")
        data = uow.storage.get(file.storage_key, file.storage_version_id, sha256=file.sha256)
        name = None
        if kind == "kbart":  # provider_region_package_date.txt, the list's number its package
            name = kbart_filename(
                uow.settings.seller_name,
                document.customer.get("name") or "Global",
                f"{document.number}v{file.version}",
                file.created_at.date(),
            )
        return FileContent(
            document.number, kind, file.version, file.content_type, file.sha256, data, name
        )
