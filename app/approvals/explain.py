"""The matrix made readable: every rule it holds, and for one document which rule fired on
which figure, who may not decide it and what is still outstanding."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import date
from typing import Any

from sqlalchemy import select

from app.approvals import rules
from app.approvals.deciders import barred
from app.assembly.approval_matrix import ApprovalMatrix
from app.documents.models import Document
from app.documents.records import get_document, outstanding_approvals
from app.errors import NotFound
from app.uow import UnitOfWork
from app.users.models import User


def matrix_rules(matrix: ApprovalMatrix) -> dict[str, Any]:
    """Every tier and setting of the matrix, in the order the steps run."""
    return {
        "base_currency": matrix.base_currency,
        "value_figure": matrix.value_figure,
        "ranks": list(matrix.ranks),
        "split_window_days": matrix.split_window_days,
        "exchange_rates": {k: str(v) for k, v in matrix.exchange_rates.items()},
        "tiers": [
            {
                "name": tier.name,
                "role": tier.role,
                "step": tier.step,
                "when": {
                    key: str(value) if not isinstance(value, bool) else value
                    for key, value in tier.when.model_dump().items()
                    if value is not None
                },
            }
            for tier in sorted(matrix.tiers, key=lambda t: t.step)
        ],
        "controls": [
            {
                "rule": "segregation-of-duties",
                "says": "the creator and whoever changed "
                "the document materially since its last approval decide none of its steps",
            },
            {
                "rule": "approval-authority",
                "says": "a role decides steps of its own role or of a role below it in `ranks`",
            },
            {
                "rule": "one-approval-per-person",
                "says": "one person approves at most one tier of a document",
            },
        ],
    }


def document_by_ref(uow: UnitOfWork, ref: str) -> uuid.UUID:
    """A document's id from its number (e.g. Q-2026-000001) or its id."""
    with uow:
        try:
            return get_document(uow.session, uuid.UUID(ref)).id
        except ValueError:
            pass
        found = uow.session.scalar(select(Document.id).where(Document.number == ref))
        if found is None:
            raise NotFound(f"no document {ref}")
        return found


def explain(uow: UnitOfWork, document_id: uuid.UUID) -> dict[str, Any]:
    """Which rule fired on which figure for a document, as it stands now."""
    matrix = uow.settings.approval_matrix
    with uow:
        document = get_document(uow.session, document_id)
        facts = rules.facts_of(document.totals, document.data)
        issued_on = date.fromisoformat(document.data["issued_on"])
        rate = rules.rate_on(uow.session, matrix, facts.currency, issued_on)
        tiers = []
        for tier in sorted(matrix.tiers, key=lambda t: t.step):
            checked = matrix.conditions(tier.when, facts, rate)
            tiers.append(
                {
                    "rule": tier.name,
                    "role": tier.role,
                    "step": tier.step,
                    "fires": all(holds for _, holds in checked),
                    "conditions": [
                        {"code": r.code, "figures": r.figures, "text": r.text, "holds": holds}
                        for r, holds in checked
                    ],
                }
            )
        people = {
            user.id: user
            for user in uow.session.scalars(select(User).where(User.id.in_(list(barred(document)))))
        }
        return {
            "number": document.number,
            "status": document.status,
            "base_currency": matrix.base_currency,
            "value_figure": matrix.value_figure,
            "facts": {
                **{k: str(v) if v is not None else None for k, v in asdict(facts).items()},
                "non_standard": list(facts.non_standard),
                "rate": str(rate.value),
                "rate_valid_from": rate.valid_from.isoformat() if rate.valid_from else None,
                "rate_source": rate.source,
            },
            "tiers": tiers,
            "outstanding": [r["rule"] for r in outstanding_approvals(document)],
            "barred": [
                {"email": people[uid].email, "why": why}
                for uid, why in barred(document).items()
                if uid in people
            ],
        }


def as_text(explained: dict[str, Any]) -> str:
    """The explanation as plain lines, for the command line."""
    facts = explained["facts"]
    lines = [
        f"{explained['number']} ({explained['status']})",
        f"effective discount {facts['discount_percent']} %"
        + (f" (line {facts['discount_line']})" if facts["discount_line"] else ""),
        f"net value {facts['net_term']} {facts['currency']} for the term, "
        f"{facts['net_annual']} for the largest year; rate {facts['rate']} "
        f"{explained['base_currency']} per {facts['currency']} ({facts['rate_source']})",
        "",
    ]
    for tier in explained["tiers"]:
        verdict = "FIRES" if tier["fires"] else "does not fire"
        lines.append(f"{tier['rule']} ({tier['role']}, step {tier['step']}): {verdict}")
        for condition in tier["conditions"]:
            mark = "holds" if condition["holds"] else "does not hold"
            lines.append(f"  {_condition_text(condition)}: {mark}")
    lines.append("")
    lines.append(f"outstanding: {', '.join(explained['outstanding']) or 'none'}")
    for person in explained["barred"]:
        lines.append(f"may not decide: {person['email']} ({person['why']})")
    return "\n".join(lines)


def _condition_text(condition: dict[str, Any]) -> str:
    figures = condition["figures"]
    if condition["code"] == "discount-above":
        return f"effective discount {figures['discount_percent']} % above {figures['threshold']} %"
    return str(condition["text"])
