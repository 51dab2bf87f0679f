"""What waits for a manager's, director's, legal's or finance's decision: the documents
whose current approval step is within the person's authority, with the rule that fired,
the figures behind it and a deal-splitting flag. Nobody sees what they may not decide
(their own, what they changed since its last approval, a tier they already approved)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.approvals.deciders import barred
from app.approvals.splitting import SplitFlag, split_flag
from app.assembly.approval_matrix import ApprovalMatrix
from app.assembly.effective_discount import from_record
from app.documents.models import PENDING_APPROVAL, Document
from app.documents.records import outstanding_approvals
from app.users.models import User


@dataclass(frozen=True)
class Waiting:
    document: Document
    rules: list[dict[str, Any]]
    """The rules of the current step within this person's authority."""
    largest_discount_percent: Decimal
    """The effective discount: line and header compounded, the larger of line and whole."""
    term_years: int
    non_standard: list[str]
    split: SplitFlag | None = None


def waiting_for(session: Session, user: User, matrix: ApprovalMatrix) -> list[Waiting]:
    found = []
    for document in session.scalars(
        select(Document)
        .where(Document.status == PENDING_APPROVAL, Document.created_by_id != user.id)
        .order_by(Document.created_at)
    ):
        outstanding = outstanding_approvals(document)
        if not outstanding or user.id in barred(document):
            continue
        step = min(int(rule.get("step", 1)) for rule in outstanding)
        mine = [
            r
            for r in outstanding
            if matrix.may_approve(user.role, r["role"]) and int(r.get("step", 1)) == step
        ]
        approved_already = any(
            a.decided_by_id == user.id and a.standing and a.decision == "approve"
            for a in document.approvals
        )
        if not mine or approved_already:
            continue
        term = document.data.get("term") or {}
        found.append(
            Waiting(
                document=document,
                rules=mine,
                largest_discount_percent=from_record(document.totals).percent,
                term_years=int(term.get("years", 1)),
                non_standard=sorted(
                    f"{key}: {position}"
                    for key, position in document.data.get("clause_positions", {}).items()
                ),
                split=split_flag(session, matrix, document),
            )
        )
    return found
