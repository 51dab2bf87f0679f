"""The approval matrix for the people it binds: its rules, finance's dated exchange rates,
and why a document needs the approvals it needs."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Any

from apiflask import APIBlueprint

from app.approvals import explain, rules
from app.approvals.models import ExchangeRate
from app.documents.approval_queue import queue_page
from app.users import scopes
from app.web.api.auth import auth, current_user
from app.web.context import runtime, unit_of_work
from app.web.hygiene import small_body
from app.web.schemas.approvals import (
    ExplanationOut,
    MatrixOut,
    QueueOut,
    QueueQuery,
    RateIn,
    RateOut,
    RatesOut,
)

bp = APIBlueprint("api_approvals", __name__, url_prefix="/api/v1", tag="Approvals")


def _rate_out(rate: ExchangeRate) -> dict[str, Any]:
    return {
        "id": rate.id,
        "currency": rate.currency,
        "base_currency": rate.base_currency,
        "rate": str(rate.rate.normalize()),
        "valid_from": rate.valid_from,
        "recorded_by": rate.recorded_by.email,
        "recorded_at": rate.created_at,
    }


@bp.get("/approval-matrix")
@bp.auth_required(auth, roles=[scopes.READ])
@bp.output(MatrixOut)
@bp.doc(summary="Every rule of the approval matrix and the controls on deciding")
def matrix() -> dict[str, Any]:
    return explain.matrix_rules(runtime().settings.approval_matrix)


@bp.get("/exchange-rates")
@bp.auth_required(auth, roles=[scopes.READ])
@bp.output(RatesOut)
@bp.doc(summary="The dated exchange rates finance keeps for approval thresholds")
def exchange_rates() -> dict[str, Any]:
    uow = unit_of_work()
    with uow:
        return {"items": [_rate_out(rate) for rate in rules.rates(uow.session)]}


@bp.post("/exchange-rates")
@bp.auth_required(auth, roles=[scopes.WRITE])
@bp.input(RateIn)
@bp.output(RateOut, status_code=201)
@bp.doc(
    summary="Keep a dated rate into the matrix's base currency (finance)",
    responses=[403, 409, 422],
)
@small_body
def keep_rate(json_data: RateIn) -> tuple[dict[str, Any], int]:
    kept = rules.record_rate(
        unit_of_work(),
        currency=json_data.currency,
        rate=json_data.rate,
        valid_from=json_data.valid_from,
        actor=current_user(),
    )
    return _rate_out(kept), 201


@bp.get("/documents/<uuid:document_id>/approval-explanation")
@bp.auth_required(auth, roles=[scopes.READ])
@bp.output(ExplanationOut)
@bp.doc(summary="Which rule fired on which figure for a document", responses=[404])
def explanation(document_id: uuid.UUID) -> dict[str, Any]:
    return explain.explain(unit_of_work(), document_id)


@bp.get("/approval-queue")
@bp.auth_required(auth, roles=[scopes.READ])
@bp.input(QueueQuery, location="query")
@bp.output(QueueOut)
@bp.doc(
    summary="What waits for the caller's decision, with deal-splitting flags, oldest first",
    description="A page at a time: pass the answer's `next_after` as `after` for the next.",
)
def queue(query_data: QueueQuery) -> dict[str, Any]:
    uow = unit_of_work()
    with uow:
        page = queue_page(
            uow.session,
            current_user(),
            uow.settings.approval_matrix,
            after=query_data.after,
            limit=query_data.limit,
        )
        waiting = page.items
        return {
            "total": page.total,
            "next_after": page.next_after,
            "items": [
                {
                    "id": w.document.id,
                    "number": w.document.number,
                    "customer_name": w.document.customer["name"],
                    "rules": w.rules,
                    "effective_discount_percent": str(w.largest_discount_percent),
                    "split": {
                        **asdict(w.split),
                        "combined_value": str(w.split.combined_value),
                    }
                    if w.split
                    else None,
                }
                for w in waiting
            ],
        }
