"""Approving and rejecting a document's outstanding approvals, under the controls an
auditor relies on; a decision a control refuses changes nothing and is audited.

- segregation-of-duties: the creator, and whoever made a material change since the
  document was last approved in full, decides none of its steps;
- approval-authority: a role decides steps of its own role, or of a role it outranks in
  the matrix's `ranks` (a director may approve a manager step, not a legal one);
- one-approval-per-person: one person approves at most one tier of a document.
"""

from __future__ import annotations

import uuid
from typing import Any

from app.approvals.deciders import barred
from app.assembly.approval_matrix import APPROVER_ROLES
from app.audit import services as audit
from app.billing import services as billing
from app.db import utcnow
from app.documents.models import APPROVED, PENDING_APPROVAL, REJECTED, Approval
from app.documents.records import get_document, locked, outstanding_approvals
from app.documents.regenerating import render_approved_copy
from app.errors import Conflict, ControlRefused
from app.mail import events as mail
from app.uow import UnitOfWork
from app.users.models import User

SEGREGATION = "segregation-of-duties"
AUTHORITY = "approval-authority"
ONE_TIER = "one-approval-per-person"


def _as_decided(rule: dict[str, Any]) -> dict[str, Any]:
    """The tier as it fired, with the exchange rate its value was judged at on top."""
    rate: dict[str, Any] = next(
        (r["figures"] for r in rule.get("reasons", []) if r["code"] == "value-above"), {}
    )
    return {
        **rule,
        **{
            k: rate[k]
            for k in ("rate", "rate_valid_from", "rate_source", "base_value")
            if k in rate
        },
    }


def decide_approval(
    uow: UnitOfWork, document_id: uuid.UUID, *, actor: User, decision: str, comment: str
) -> uuid.UUID:
    """Approve or reject the outstanding approval the actor has authority for; the
    document is approved once every required approval is given, rejected at once."""
    try:
        return _decide(uow, document_id, actor=actor, decision=decision, comment=comment)
    except ControlRefused as refusal:
        with uow:
            audit.record_event(
                uow.session,
                tag="approval.refused",
                subject=get_document(uow.session, document_id),
                actor=actor,
                data={"rule": refusal.rule, "detail": refusal.detail, "decision": decision},
            )
            uow.commit()
        raise


def _decide(
    uow: UnitOfWork, document_id: uuid.UUID, *, actor: User, decision: str, comment: str
) -> uuid.UUID:
    matrix = uow.settings.approval_matrix
    with uow:
        document = locked(uow.session, document_id)
        if actor.role not in APPROVER_ROLES:
            raise ControlRefused(
                f"a {actor.role} user cannot approve or reject documents", rule=AUTHORITY
            )
        why = barred(document).get(actor.id)
        if why is not None:
            raise ControlRefused(
                f"{actor.name} {why}; someone else decides the approvals of {document.number}",
                rule=SEGREGATION,
            )
        if document.status != PENDING_APPROVAL:
            raise Conflict(
                f"document {document.number} is {document.status}, not awaiting approval"
            )
        outstanding = outstanding_approvals(document)
        step = min(int(rule.get("step", 1)) for rule in outstanding)
        mine = [rule for rule in outstanding if matrix.may_approve(actor.role, rule["role"])]
        if not mine:
            waiting = ", ".join(sorted({rule["role"] for rule in outstanding}))
            raise ControlRefused(
                f"no approval of {document.number} waits for a {actor.role} or a role a "
                f"{actor.role} outranks; it waits for: {waiting}",
                rule=AUTHORITY,
            )
        mine = [rule for rule in mine if int(rule.get("step", 1)) == step]
        if not mine:
            raise Conflict(
                f"the {actor.role} approval of {document.number} comes after step {step}, "
                "which is not approved yet"
            )
        mine.sort(key=lambda rule: rule["role"] != actor.role)
        given = {a.rule for a in document.approvals if a.decided_by_id == actor.id and a.standing}
        if given and decision == "approve":
            raise ControlRefused(
                f"{actor.name} already approved {', '.join(sorted(given))} of "
                f"{document.number}; another {actor.role} approves this tier",
                rule=ONE_TIER,
            )
        rule = mine[0]
        approval = Approval(
            document_id=document.id,
            decided_by_id=actor.id,
            rule=rule["rule"],
            role=actor.role,
            figures=_as_decided(rule),
            decision=decision,
            comment=comment,
            created_at=utcnow(),
        )
        uow.session.add(approval)
        if decision != "approve":
            document.status = REJECTED
        elif len(outstanding) == 1:
            document.status = APPROVED
            document.approved_at = approval.created_at
        audit.record_event(
            uow.session,
            tag=f"document.{'approved' if decision == 'approve' else 'rejected'}",
            subject=document,
            actor=actor,
            data={"comment": comment, "rule": rule, "role": actor.role, "status": document.status},
        )
        uow.session.flush()
        mail.approval_decided(uow, document, approval, actor)
        if document.status == APPROVED:
            render_approved_copy(uow, document, actor=actor)
            billing.publish(uow, "document.approved", document)
        uow.commit()
        return approval.id
