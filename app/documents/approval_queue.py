"""What waits for a manager's, director's, legal's or finance's decision: the documents
whose current approval step needs the person's role, with the rule that fired and the
figures behind it. The creator never sees their own; one person approves one tier."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.documents.models import PENDING_APPROVAL, Document
from app.documents.services import outstanding_approvals
from app.users.models import User


@dataclass(frozen=True)
class Waiting:
    document: Document
    rules: list[dict[str, Any]]
    """The rules of the current step that wait for this person's role."""
    largest_discount_percent: Decimal
    term_years: int
    non_standard: list[str]


def _largest_discount(totals: dict[str, Any]) -> Decimal:
    shares = []
    for line in totals.get("lines", []):
        gross = Decimal(line["unit_price"]) * line["quantity"]
        base = Decimal(line["list_price"]) * line["quantity"] if line.get("list_price") else gross
        if base > 0:
            shares.append((base - Decimal(line["amount"])) * 100 / base)
    subtotal = Decimal(totals.get("subtotal", "0"))
    if subtotal > 0:
        shares.append(Decimal(totals.get("discount", "0")) * 100 / subtotal)
    return max(shares, default=Decimal(0)).quantize(Decimal("0.1"))


def waiting_for(session: Session, user: User) -> list[Waiting]:
    found = []
    for document in session.scalars(
        select(Document)
        .where(Document.status == PENDING_APPROVAL, Document.created_by_id != user.id)
        .order_by(Document.created_at)
    ):
        outstanding = outstanding_approvals(document)
        if not outstanding:
            continue
        step = min(int(rule.get("step", 1)) for rule in outstanding)
        mine = [r for r in outstanding if r["role"] == user.role and int(r.get("step", 1)) == step]
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
                largest_discount_percent=_largest_discount(document.totals),
                term_years=int(term.get("years", 1)),
                non_standard=sorted(
                    f"{key}: {position}"
                    for key, position in document.data.get("clause_positions", {}).items()
                ),
            )
        )
    return found
