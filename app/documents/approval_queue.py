"""What waits for a manager's, director's, legal's or finance's decision: the documents
whose current approval step is within the person's authority, with the rule that fired,
the figures behind it and a deal-splitting flag. Nobody sees what they may not decide
(their own, what they changed since its last approval, a tier they already approved).

The queue is read in two passes: who may decide what is settled on the approval columns
alone (no document bodies), and only the page shown is loaded whole and checked for deal
splitting, which reads the customer's other documents (a large book's queue holds hundreds
of documents; checking each on every view took seconds)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload, load_only, selectinload

from app.approvals.deciders import barred
from app.approvals.splitting import SplitFlag, split_flag
from app.assembly.approval_matrix import ApprovalMatrix
from app.assembly.effective_discount import from_record
from app.documents.models import PENDING_APPROVAL, Document
from app.documents.records import outstanding_approvals
from app.users.models import User

PAGE = 50


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


@dataclass(frozen=True)
class QueuePage:
    items: list[Waiting]
    total: int
    """How many wait for this person in all, this page and the others."""
    next_after: uuid.UUID | None
    """The last document shown, to ask for the next page with; None on the last page."""


_DECIDING = (
    Document.id,
    Document.created_at,
    Document.created_by_id,
    Document.approved_at,
    Document.approvals_required,
    Document.status,
)


def _decidable(
    session: Session, user: User, matrix: ApprovalMatrix
) -> dict[uuid.UUID, list[dict[str, Any]]]:
    """The documents this person may decide now, oldest first, with their rules in reach."""
    found: dict[uuid.UUID, list[dict[str, Any]]] = {}
    for document in session.scalars(
        select(Document)
        .where(Document.status == PENDING_APPROVAL, Document.created_by_id != user.id)
        .options(
            load_only(*_DECIDING),
            lazyload("*"),
            selectinload(Document.approvals),
            selectinload(Document.edits),
        )
        .order_by(Document.created_at, Document.id)
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
        if mine and not approved_already:
            found[document.id] = mine
    return found


def waiting_count(session: Session, user: User, matrix: ApprovalMatrix) -> int:
    """How many documents wait for this person (the home page's notice)."""
    return len(_decidable(session, user, matrix))


def queue_page(
    session: Session,
    user: User,
    matrix: ApprovalMatrix,
    *,
    after: uuid.UUID | None = None,
    limit: int | None = PAGE,
) -> QueuePage:
    """One page of the queue, oldest first, after the document `after` (the last shown)."""
    decidable = _decidable(session, user, matrix)
    ids = list(decidable)
    start = ids.index(after) + 1 if after in decidable else 0
    end = len(ids) if limit is None else start + limit
    shown = ids[start:end]
    whole = select(Document).where(Document.id.in_(shown))
    # the first pass left these documents half loaded in the session: load them whole
    documents = {d.id: d for d in session.scalars(whole.execution_options(populate_existing=True))}
    items = []
    for id_ in shown:
        document = documents[id_]
        term = document.data.get("term") or {}
        items.append(
            Waiting(
                document=document,
                rules=decidable[id_],
                largest_discount_percent=from_record(document.totals).percent,
                term_years=int(term.get("years", 1)),
                non_standard=sorted(
                    f"{key}: {position}"
                    for key, position in document.data.get("clause_positions", {}).items()
                ),
                split=split_flag(session, matrix, document),
            )
        )
    more = end < len(ids)
    return QueuePage(items, len(ids), shown[-1] if more and shown else None)


def waiting_for(session: Session, user: User, matrix: ApprovalMatrix) -> list[Waiting]:
    """The whole queue (the approval mail and the tests); pages ask for `queue_page`."""
    return queue_page(session, user, matrix, limit=None).items
