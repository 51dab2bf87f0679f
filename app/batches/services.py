"""Batches: a file of document requests answered at once with a batch id, then made row by
row as jobs, so that rows spread over the workers and one bad row never stops the others.

A row is claimed (pending -> running) before it is made; a row left running by a worker
that died is put back by the periodic `resume`, and a row already made is never made
again."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update

from app.audit import services as audit
from app.batches.models import DONE, FAILED, PENDING, RUNNING, Batch, BatchRow
from app.batches.parsing import BatchFileError, parse_batch
from app.db import utcnow
from app.documents.creating import render_new_document
from app.documents.records import CREATOR_ROLES
from app.errors import DomainError, FieldError, Forbidden, InvalidInput, NotFound
from app.uow import UnitOfWork
from app.users import services as users
from app.users.models import User

log = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class Progress:
    batch: Batch
    counts: dict[str, int]

    @property
    def finished(self) -> bool:
        return self.counts.get(PENDING, 0) + self.counts.get(RUNNING, 0) == 0


def submit(
    uow: UnitOfWork, data: bytes, *, filename: str, content_type: str, actor: User
) -> uuid.UUID:
    """Store the batch and queue its rows; a file that cannot be read is refused whole."""
    if actor.role not in CREATOR_ROLES:
        raise Forbidden(f"a {actor.role} user cannot create documents")
    try:
        parsed = parse_batch(
            data, filename=filename, content_type=content_type, limits=uow.settings.upload_limits
        )
    except BatchFileError as exc:
        raise InvalidInput(str(exc), [FieldError("/file", str(exc))]) from exc
    with uow:
        batch = Batch(created_by_id=actor.id, filename=filename[:200], total=len(parsed))
        uow.session.add(batch)
        uow.session.flush()
        rows = [
            BatchRow(
                batch_id=batch.id,
                row=p.row,
                request=p.request,
                state=FAILED if p.problem else PENDING,
                problem=p.problem,
                errors=[],
            )
            for p in parsed
        ]
        uow.session.add_all(rows)
        uow.session.flush()
        for row in rows:
            if row.state == PENDING:
                uow.enqueue("batches.make_row", row_id=str(row.id))
        audit.record_event(
            uow.session,
            tag="batch.submitted",
            subject=batch,
            actor=actor,
            data={"filename": batch.filename, "rows": batch.total},
        )
        uow.commit()
        return batch.id


def _claim(uow: UnitOfWork, row_id: uuid.UUID) -> tuple[dict[str, Any], User] | None:
    """The row's request and the user who sent the batch, once the row is ours."""
    with uow:
        claimed = uow.session.execute(
            update(BatchRow)
            .where(BatchRow.id == row_id, BatchRow.state == PENDING)
            .values(state=RUNNING, started_at=utcnow())
            .returning(BatchRow.id)
        ).scalar_one_or_none()
        uow.commit()
        if claimed is None:
            return None
        row = uow.session.get(BatchRow, row_id)
        assert row is not None
        actor = users.get_user(uow.session, row.batch.created_by_id)
        assert actor is not None
        return dict(row.request), actor


def _finish(uow: UnitOfWork, row_id: uuid.UUID, **values: Any) -> None:
    with uow:
        uow.session.execute(update(BatchRow).where(BatchRow.id == row_id).values(**values))
        uow.commit()


def make_row(uow: UnitOfWork, row_id: uuid.UUID) -> str | None:
    """Make one row's document; its new state, or None when another worker has it."""
    claimed = _claim(uow, row_id)
    if claimed is None:
        return None
    request, actor = claimed
    try:
        if not isinstance(request.get("template"), str):
            raise InvalidInput("each request names its template", [FieldError("/template", "")])
        document_id = render_new_document(
            uow,
            template=request["template"],
            data=request.get("data", {}),
            external_ref=request.get("external_ref"),
            actor=actor,
            via="batch",
        )
    except DomainError as exc:
        _finish(
            uow,
            row_id,
            state=FAILED,
            problem=exc.detail,
            errors=[{"pointer": e.pointer, "detail": e.detail} for e in exc.errors],
        )
        return FAILED
    except Exception:
        log.exception("batch row %s failed", row_id)
        _finish(uow, row_id, state=FAILED, problem="an unexpected error; it has been logged")
        return FAILED
    _finish(uow, row_id, state=DONE, document_id=document_id)
    return DONE


def resume(uow: UnitOfWork) -> int:
    """Queue again the rows never picked up or left running by a worker that died."""
    stale = utcnow() - STALE_AFTER
    with uow:
        uow.session.execute(
            update(BatchRow)
            .where(BatchRow.state == RUNNING, BatchRow.started_at < stale)
            .values(state=PENDING)
        )
        waiting = list(
            uow.session.scalars(
                select(BatchRow.id).where(BatchRow.state == PENDING, BatchRow.created_at < stale)
            )
        )
        for row_id in waiting:
            uow.enqueue("batches.make_row", row_id=str(row_id))
        uow.commit()
        return len(waiting)


def progress(uow: UnitOfWork, batch_id: uuid.UUID) -> Progress:
    with uow:
        batch = uow.session.get(Batch, batch_id)
        if batch is None:
            raise NotFound(f"no batch {batch_id}")
        counts = dict(
            uow.session.execute(
                select(BatchRow.state, func.count())
                .where(BatchRow.batch_id == batch_id)
                .group_by(BatchRow.state)
            ).all()
        )
        return Progress(batch, {state: int(n) for state, n in counts.items()})
