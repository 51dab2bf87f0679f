"""Render a stored version again from what it pinned (template version, clause versions,
data, customer and figures, as `version_inputs` kept them with the version, and the
version's creation time) and compare it with what was stored, byte for byte.

A version renders again the same because nothing in it comes from the moment or the
machine: the template package's own fonts, dates from the version, a PDF /ID derived from
the content, no random ids. So a difference means something changed: the stored object,
the record it was made from (a clause version, the data), or the renderer."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field

from app.documents import assembling, records, renders, version_inputs
from app.documents.marking import marks_as_stored
from app.documents.models import Document
from app.errors import NotFound
from app.rendering.compare import differences
from app.storage.interfaces import BlobCorrupted
from app.titles.long_lists import KEPT_AS_KBART
from app.uow import UnitOfWork

RENDERED_KINDS = ("pdf", "docx", "xlsx", "csv", "kbart")
"""The files a version is rendered to; signed copies and certificates are made once."""


@dataclass(frozen=True)
class FileCheck:
    kind: str
    recorded_sha256: str
    rendered_sha256: str
    stored_intact: bool
    """Whether the stored object still hashes to the recorded SHA-256."""
    differences: list[str] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return self.stored_intact and self.rendered_sha256 == self.recorded_sha256


@dataclass(frozen=True)
class Verification:
    number: str
    version: int
    files: list[FileCheck]
    not_reproducible: str | None = None
    """Why this version cannot be rendered again from the record, if it cannot."""

    @property
    def identical(self) -> bool:
        return self.not_reproducible is None and all(f.identical for f in self.files)


def verify_version(
    uow: UnitOfWork, document_id: uuid.UUID, version: int | None = None
) -> Verification:
    """The stored files of a version (the current one by default) against a fresh render."""
    with uow:
        document = records.get_document(uow.session, document_id)
        chosen = version or document.current_version
        files = [f for f in document.files if f.version == chosen and f.kind in RENDERED_KINDS]
        if not files:
            raise NotFound(f"document {document.number} has no rendered version {chosen}")
        if document.data.get("kept_as") == KEPT_AS_KBART:
            return Verification(
                document.number,
                chosen,
                [],
                "its titles are kept as the KBART file they came in, not rendered",
            )
        as_made = version_inputs.document_as_of(uow.session, document, chosen)
        revised = _revised_after(document, chosen) if as_made is None else None
        if revised is not None:
            return Verification(
                document.number,
                chosen,
                [],
                f"version {chosen} was made from data revised in version {revised}; "
                "only the data of the versions since then is kept",
            )
        stored: dict[str, bytes | None] = {}
        for file in files:
            try:
                stored[file.kind] = uow.storage.get(
                    file.storage_key, file.storage_version_id, sha256=file.sha256
                )
            except BlobCorrupted:
                stored[file.kind] = None
        made_at = files[0].created_at
        record = as_made or document
        package = assembling.package_of(uow, record)
        assembled = assembling.assembled_from_record(uow, record)
        archival = renders.version_archival(record, assembled, version=chosen, made_at=made_at)
        marks = marks_as_stored(uow.session, record, chosen, uow.settings)
        rendered = renders.render_files(package, assembled, marks, archival)
        checks = [_check(file.kind, file.sha256, stored[file.kind], rendered) for file in files]
        return Verification(document.number, chosen, checks)


def _revised_after(document: Document, version: int) -> int | None:
    """The first revision of the data after `version`, whose data replaced that version's
    (asked only of a version stored before its inputs were kept with it)."""
    later = [edit.version for edit in document.edits if edit.version > version]
    return min(later, default=None)


def _check(kind: str, recorded: str, stored: bytes | None, rendered: dict[str, bytes]) -> FileCheck:
    fresh = rendered.get(kind, b"")
    fresh_sha = hashlib.sha256(fresh).hexdigest()
    found: list[str] = []
    if stored is None:
        found.append(f"{kind}: the stored object no longer matches its recorded SHA-256")
    elif fresh_sha != recorded:
        found.extend(differences(kind, stored, fresh))
    return FileCheck(kind, recorded, fresh_sha, stored is not None, found)
