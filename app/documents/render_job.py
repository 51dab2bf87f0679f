"""The render job: the files of a version recorded by a create, revise or regenerate are
rendered after that request committed, stored, and the document marked ready (with a
`document.ready` webhook) or failed with the reason. `wait_until_settled` lets a caller
that prefers to wait (`Prefer: wait=N`) follow it without holding a transaction open."""

from __future__ import annotations

import logging
import time
import uuid
from datetime import timedelta

from sqlalchemy import select

from app.billing import services as billing
from app.db import utcnow
from app.documents import version_inputs
from app.documents.assembling import assembled_from_record, package_of
from app.documents.models import (
    READY,
    RENDER_FAILED,
    RENDERING,
    Document,
    DocumentVersionInput,
)
from app.documents.records import get_document, locked
from app.documents.renders import store_version_files
from app.errors import DomainError
from app.storage.interfaces import StorageUnavailable
from app.uow import UnitOfWork

log = logging.getLogger(__name__)

UNEXPECTED = "the render failed unexpectedly; it has been logged, regenerate to try again"


def render_version(uow: UnitOfWork, document_id: uuid.UUID, version: int) -> str:
    """Render and store `version`'s files from what was kept for it; the document's render
    status after. A version superseded meanwhile is still rendered (its files are history)
    but only the current version decides the status; a job delivered twice does nothing
    the second time."""
    try:
        with uow:
            document = locked(uow.session, document_id)
            if any(f.version == version for f in document.files):
                return document.render_status
            made_at = uow.session.scalar(
                select(DocumentVersionInput.made_at).where(
                    DocumentVersionInput.document_id == document_id,
                    DocumentVersionInput.version == version,
                )
            )
            if made_at is None:
                raise LookupError(f"no inputs kept for version {version} of {document.number}")
            record = version_inputs.document_as_of(uow.session, document, version) or document
            package = package_of(uow, record)
            assembled = assembled_from_record(uow, record)
            store_version_files(uow, record, package, assembled, version=version, made_at=made_at)
            if document.current_version == version:
                document.render_status = READY
                document.render_error = None
                billing.publish(uow, "document.ready", document)
            uow.commit()
            return document.render_status
    except DomainError as exc:
        reason = "; ".join([exc.detail, *(f"{e.pointer}: {e.detail}" for e in exc.errors)])
    except StorageUnavailable as exc:
        reason = f"the rendered files could not be stored: {exc}"
    except Exception:
        log.exception("rendering version %s of document %s failed", version, document_id)
        reason = UNEXPECTED
    return _mark_failed(uow, document_id, version, reason)


def _mark_failed(uow: UnitOfWork, document_id: uuid.UUID, version: int, reason: str) -> str:
    """Say why the render failed; the files it may have stored were discarded with its
    transaction, so nothing is left without a row."""
    log.warning("document %s version %s not rendered: %s", document_id, version, reason)
    with uow:
        document = locked(uow.session, document_id)
        if document.current_version == version:
            document.render_status = RENDER_FAILED
            document.render_error = reason
        uow.commit()
        return document.render_status


def render_status(uow: UnitOfWork, document_id: uuid.UUID) -> tuple[str, str | None]:
    """The document's render status and, when failed, why."""
    with uow:
        document = get_document(uow.session, document_id)
        return document.render_status, document.render_error


def wait_until_settled(uow: UnitOfWork, document_id: uuid.UUID, seconds: float) -> str:
    """Wait up to `seconds` for the document's render to be ready or failed; its status
    then. Each look is a short read of its own: no transaction stays open while waiting,
    and the job (a worker, or a thread of this process) commits undisturbed."""
    deadline = time.monotonic() + seconds
    pause = 0.02
    while True:
        with uow:
            status = uow.session.scalar(
                select(Document.render_status).where(Document.id == document_id)
            )
        left = deadline - time.monotonic()
        if status != RENDERING or left <= 0:
            return status or RENDERING
        time.sleep(min(pause, left))
        pause = min(pause * 1.5, 0.25)


def render_due(uow: UnitOfWork, *, older_than: timedelta) -> int:
    """Render the versions still `rendering` whose job never came (a broker that was down
    when the request committed, a worker killed before it took the job): the periodic
    sweep, so that no recorded document waits for ever. Versions recorded within
    `older_than` are left to their own job. How many were rendered."""
    with uow:
        due = uow.session.execute(
            select(Document.id, Document.current_version)
            .join(
                DocumentVersionInput,
                (DocumentVersionInput.document_id == Document.id)
                & (DocumentVersionInput.version == Document.current_version),
            )
            .where(
                Document.render_status == RENDERING,
                DocumentVersionInput.made_at <= utcnow() - older_than,
            )
        ).all()
    for document_id, version in due:
        render_version(uow, document_id, version)
    return len(due)
