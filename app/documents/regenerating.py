"""Regenerating a document: its stored record rendered again as a new version, on request
(after a template fix, or a failed render) or as the approved copy without the DRAFT mark."""

from __future__ import annotations

import uuid

from app.audit import services as audit
from app.documents.assembling import assembled_from_record, package_for_version
from app.documents.models import APPROVED, DRAFT, PENDING_APPROVAL, Document
from app.documents.records import locked
from app.documents.renders import make_version
from app.errors import Conflict
from app.uow import UnitOfWork
from app.users.models import User


def regenerate(uow: UnitOfWork, document_id: uuid.UUID, *, actor: User) -> int:
    """Render the document again from its stored record as a new version (nothing is
    replaced): recorded now, rendered by a job after the commit; also the way to try again
    after a failed render."""
    with uow:
        document = locked(uow.session, document_id)
        if document.status not in {DRAFT, PENDING_APPROVAL, APPROVED}:
            raise Conflict(
                f"document {document.number} is {document.status}; it cannot change",
                code="wrong_status",
            )
        _new_version_from_record(
            uow, document, actor=actor, tag="document.regenerated", render_now=False
        )
        uow.commit()
        return document.current_version


def render_approved_copy(uow: UnitOfWork, document: Document, *, actor: User) -> int:
    """The document just approved in full, rendered again from its record as a new version
    without the DRAFT mark, in the caller's transaction (see app/documents/marking.py)."""
    return _new_version_from_record(
        uow, document, actor=actor, tag="document.approved_copy", render_now=True
    )


def _new_version_from_record(
    uow: UnitOfWork, document: Document, *, actor: User, tag: str, render_now: bool
) -> int:
    """Render the document again from its own record as its next version, audited as `tag`
    with the version's fingerprint and whether it is a draft."""
    document.current_version += 1
    marks = make_version(
        uow,
        document,
        document.current_version,
        render_now=(
            lambda: (
                package_for_version(uow, document.template_version),
                assembled_from_record(uow, document),
            )
        )
        if render_now
        else None,
    )
    audit.record_event(
        uow.session,
        tag=tag,
        subject=document,
        actor=actor,
        data={
            "version": document.current_version,
            "fingerprint": marks.digest,
            "draft": marks.draft,
        },
    )
    return document.current_version
