"""Deal splitting: documents for one customer made close together whose combined value
would have needed an approval that none of them needed alone. A flag for the approver and
the audit report, never a block (two honest quotes a week apart happen)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload, load_only

from app.approvals import rules
from app.assembly.approval_matrix import ApprovalMatrix
from app.documents.models import CANCELLED, EXPIRED, REJECTED, Document

_NOT_DEALS = (CANCELLED, EXPIRED, REJECTED)


@dataclass(frozen=True)
class SplitFlag:
    numbers: list[str]
    """Every document of the group, this one included, oldest first."""
    combined_value: Decimal
    base_currency: str
    would_need: list[str]
    """The tiers the combined value would have fired that this document does not."""
    window_days: int


def _issued(document: Document) -> date:
    return date.fromisoformat(document.data["issued_on"])


_FIGURES = (Document.number, Document.data, Document.totals, Document.created_at)


def split_flag(session: Session, matrix: ApprovalMatrix, document: Document) -> SplitFlag | None:
    if document.account_id is None or matrix.split_window_days == 0:
        return None
    window = timedelta(days=matrix.split_window_days)
    issued = _issued(document)
    group = [
        other
        for other in session.scalars(
            select(Document)
            .where(
                Document.account_id == document.account_id,
                Document.status.not_in(_NOT_DEALS),
                Document.kind == document.kind,
                # ISO days compare as text: only the window's documents are read
                Document.data["issued_on"].as_string() >= (issued - window).isoformat(),
                Document.data["issued_on"].as_string() <= (issued + window).isoformat(),
            )
            # the figures, not the whole documents: a customer may have hundreds
            .options(load_only(*_FIGURES), lazyload("*"))
            .order_by(Document.created_at)
        )
        if abs(_issued(other) - issued) <= window
    ]
    if len(group) < 2:
        return None
    combined = Decimal(0)
    for member in group:
        facts = rules.facts_of(member.totals, member.data)
        rate = rules.rate_on(session, matrix, facts.currency, _issued(member))
        combined += matrix.value_of(facts) * rate.value
    base = rules.rate_on(session, matrix, document.currency, issued)
    own = rules.facts_of(document.totals, document.data)
    as_one = replace(
        own,
        net_term=combined / base.value,
        net_annual=combined / base.value,
    )
    alone = {rule["rule"] for rule in document.approvals_required}
    needed = [r.rule for r in matrix.required(as_one, base) if r.rule not in alone]
    if not needed:
        return None
    return SplitFlag(
        numbers=[member.number for member in group],
        combined_value=combined.quantize(Decimal("0.01")),
        base_currency=matrix.base_currency,
        would_need=needed,
        window_days=matrix.split_window_days,
    )
