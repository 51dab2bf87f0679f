"""Bulk generation for CRMs: a file of document requests, a batch id at once, progress and
a result per row."""

from __future__ import annotations

import uuid
from typing import Any

from apiflask import APIBlueprint
from flask import request, url_for

from app.batches import services as batches
from app.batches.models import DONE, FAILED, PENDING, RUNNING
from app.batches.services import Progress
from app.users import scopes
from app.web.api.auth import auth, current_user
from app.web.context import unit_of_work
from app.web.schemas.batches import BatchOut, BatchQuery

bp = APIBlueprint("api_batches", __name__, url_prefix="/api/v1", tag="Batches")


def batch_out(progress: Progress, *, rows: bool) -> dict[str, Any]:
    batch = progress.batch
    answer: dict[str, Any] = {
        "id": batch.id,
        "filename": batch.filename,
        "total": batch.total,
        **{state: progress.counts.get(state, 0) for state in (PENDING, RUNNING, DONE, FAILED)},
        "finished": progress.finished,
        "created_at": batch.created_at,
    }
    if rows:
        answer["rows"] = [
            {
                "row": r.row,
                "state": r.state,
                "document_id": r.document_id,
                "document_url": url_for(
                    "api_documents.get", document_id=r.document_id, _external=True
                )
                if r.document_id
                else None,
                "problem": r.problem,
                "errors": r.errors,
            }
            for r in batch.rows
        ]
    return answer


@bp.post("/batches")
@bp.auth_required(auth, roles=[scopes.WRITE])
@bp.input(BatchQuery, location="query")
@bp.output(BatchOut, status_code=202)
@bp.doc(
    summary="Make many documents from a file: CSV or JSON Lines as the body",
    description="Each JSON line, or each CSV record, is one request as for "
    "`POST /api/v1/documents`: `template`, `external_ref`, `data`. CSV columns name nested "
    "fields with dots: `data.account`, `data.lines.0.sku`. Answered at once; the rows are "
    "made in the background, and one bad row never stops the others.",
    responses=[403, 413, 422],
)
def submit(query_data: BatchQuery) -> tuple[dict[str, Any], int, dict[str, str]]:
    batch_id = batches.submit(
        unit_of_work(),
        request.get_data(cache=False),
        filename=query_data.filename,
        content_type=request.content_type or "",
        actor=current_user(),
    )
    location = url_for("api_batches.get", batch_id=batch_id, _external=True)
    return (
        batch_out(batches.progress(unit_of_work(), batch_id), rows=False),
        202,
        {"Location": location},
    )


@bp.get("/batches/<uuid:batch_id>")
@bp.auth_required(auth, roles=[scopes.READ])
@bp.output(BatchOut)
@bp.doc(summary="A batch's progress and each row's document or problem", responses=[404])
def get(batch_id: uuid.UUID) -> dict[str, Any]:
    return batch_out(batches.progress(unit_of_work(), batch_id), rows=True)
