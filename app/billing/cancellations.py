"""Cancelling a signed contract (finance): wholly or some of its lines, with a reason. The
credit is written as an `invoice.credit` event in the same transaction, delivered like
`invoice.trigger`, so an ERP books the credit note exactly when the cancellation exists."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import select

from app.audit import services as audit
from app.billing import services as billing
from app.billing.credits import Credit, credit_for
from app.billing.models import Cancellation, OutboxEvent
from app.documents.models import CANCELLED, SIGNED, Document
from app.errors import Conflict, FieldError, Forbidden, InvalidInput, NotFound
from app.uow import UnitOfWork
from app.users.models import User

CANCELLING_ROLES = frozenset({"finance"})


def cancellations_of(uow: UnitOfWork, document_id: uuid.UUID) -> list[Cancellation]:
    return list(
        uow.session.scalars(
            select(Cancellation)
            .where(Cancellation.document_id == document_id)
            .order_by(Cancellation.created_at)
        )
    )


def _credits(cancellations: list[Cancellation]) -> list[Credit]:
    return [
        Credit(c.lines, Decimal(c.net), Decimal(c.tax), Decimal(c.total)) for c in cancellations
    ]


def _lines_to_cancel(document: Document, lines: list[int] | None, done: set[int]) -> list[int]:
    count = len(document.totals.get("lines", []))
    remaining = [i for i in range(count) if i not in done]
    if lines is None:
        return remaining
    if document.totals.get("years"):
        raise InvalidInput(
            "a licence is cancelled as a whole: its fees run over the years of its term",
            [FieldError("/lines", "leave out to cancel the whole licence", "whole_only")],
        )
    errors = [
        FieldError(
            f"/lines/{n}",
            f"no line {i} (the lines are 0 to {count - 1})",
            "no_such_line",
            {"line": str(i + 1)},
        )
        for n, i in enumerate(lines)
        if not 0 <= i < count
    ]
    errors += [
        FieldError(
            f"/lines/{n}", f"line {i} is cancelled already", "line_cancelled", {"line": str(i + 1)}
        )
        for n, i in enumerate(lines)
        if i in done
    ]
    if len(set(lines)) != len(lines):
        errors.append(FieldError("/lines", "a line is named twice", "line_twice"))
    if errors:
        raise InvalidInput("some lines cannot be cancelled", errors)
    return sorted(lines)


def cancel(
    uow: UnitOfWork,
    document_id: uuid.UUID,
    *,
    reason: str,
    lines: list[int] | None,
    actor: User,
) -> Cancellation:
    """Cancel the whole document (lines None) or some lines; answers the cancellation."""
    if actor.role not in CANCELLING_ROLES:
        raise Forbidden("only finance cancels signed contracts")
    if len(reason.strip()) < 3:
        raise InvalidInput(
            "say why the contract is cancelled",
            [FieldError("/reason", "give a reason", "required")],
        )
    with uow:
        document = uow.session.scalar(
            select(Document).where(Document.id == document_id).with_for_update(of=Document)
        )
        if document is None:
            raise NotFound(f"no document {document_id}")
        if document.status != SIGNED:
            raise Conflict(
                f"document {document.number} is {document.status}; only a signed contract "
                "is cancelled (void one that is out for signature)",
                code="not_signed",
            )
        earlier = cancellations_of(uow, document.id)
        done = {i for c in earlier for i in c.lines}
        chosen = _lines_to_cancel(document, lines, done)
        credit = credit_for(
            document.totals, chosen, currency=document.currency, credited_before=_credits(earlier)
        )
        whole = len(done) + len(chosen) == len(document.totals.get("lines", []))
        trigger = uow.session.scalar(
            select(OutboxEvent)
            .where(
                OutboxEvent.document_id == document.id,
                OutboxEvent.event_type == "invoice.trigger",
            )
            .order_by(OutboxEvent.created_at.desc())
            .limit(1)
        )
        event = billing.emit(
            uow.session,
            event_type="invoice.credit",
            document=document,
            data=billing.invoice_credit_data(
                document,
                credit,
                whole=whole,
                reason=reason,
                credits_event=trigger.message_id if trigger else None,
            ),
        )
        cancellation = Cancellation(
            document_id=document.id,
            lines=credit.lines,
            net=str(credit.net),
            tax=str(credit.tax),
            total=str(credit.total),
            whole=whole,
            reason=reason,
            cancelled_by_id=actor.id,
            event_id=event.id,
        )
        uow.session.add(cancellation)
        if whole:
            document.status = CANCELLED
        audit.record_event(
            uow.session,
            tag="document.cancelled" if whole else "document.lines_cancelled",
            subject=document,
            actor=actor,
            data={**credit.as_json(), "reason": reason, "event": event.message_id},
        )
        uow.enqueue("billing.deliver_event", event_id=str(event.id))
        uow.commit()
        return cancellation
