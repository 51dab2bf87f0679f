"""Cancelling a signed contract (finance), with a reason.

A licence is cancelled from an effective date: nothing is charged from that day on, so
each invoice period already invoiced is credited what it was invoiced for the days after
it (the subscription model prorates), as one credit note and one `invoice.credit` event
per credited period, whose lines add up to its total; periods after the date are never
invoiced (the sweep sees the contract end). A quote (one period, invoiced at signature) is
cancelled wholly or line by line, each line credited as it was invoiced. Each credit is
written in the cancellation's transaction, so the ERP books it exactly when it exists."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from app.audit import services as audit
from app.billing import ledger
from app.billing.models import Cancellation, Invoice
from app.db import utcnow
from app.documents.models import CANCELLED, SIGNED, Document
from app.documents.records import locked
from app.errors import Conflict, FieldError, Forbidden, InvalidInput
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


def _lines_to_cancel(document: Document, lines: list[int] | None, done: set[int]) -> list[int]:
    count = len(document.totals.get("lines", []))
    remaining = [i for i in range(count) if i not in done]
    if lines is None:
        return remaining
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


def _licence_effective(
    view: ledger.Billed, lines: list[int] | None, effective: date | None
) -> date:
    """The day a licence's cancellation takes effect, checked against its term."""
    if lines is not None:
        raise InvalidInput(
            "a licence is cancelled as a whole: its fees run over the periods of its term",
            [FieldError("/lines", "leave out to cancel the whole licence", "whole_only")],
        )
    term = view.term
    if effective is None:
        raise InvalidInput(
            "say from which day the licence is cancelled",
            [FieldError("/effective_date", "the first day nothing is charged for", "required")],
        )
    if not term.start <= effective <= term.end:
        raise InvalidInput(
            "the cancellation falls outside the term",
            [
                FieldError(
                    "/effective_date",
                    f"the term runs from {term.start} to {term.end}",
                    "outside_term",
                    {"start": term.start.isoformat(), "end": term.end.isoformat()},
                )
            ],
        )
    return effective


def cancel(
    uow: UnitOfWork,
    document_id: uuid.UUID,
    *,
    reason: str,
    lines: list[int] | None,
    actor: User,
    effective_date: date | None = None,
) -> Cancellation:
    """Cancel a licence from `effective_date`, or a quote wholly (lines None) or some of
    its lines; answers the cancellation."""
    if actor.role not in CANCELLING_ROLES:
        raise Forbidden("only finance cancels signed contracts")
    if len(reason.strip()) < 3:
        raise InvalidInput(
            "say why the contract is cancelled",
            [FieldError("/reason", "give a reason", "required")],
        )
    with uow:
        document = locked(uow.session, document_id)
        if document.status != SIGNED or document.kind not in ledger.INVOICED_KINDS:
            raise Conflict(
                f"document {document.number} is a {document.status} {document.kind}; only a "
                "signed licence or quote is cancelled (void one that is out for signature)",
                code="not_signed",
            )
        if not ledger.rows_of(uow.session, document.id):
            raise Conflict(
                f"{document.number} was invoiced before the invoice ledger: credit it in the ERP",
                code="not_in_ledger",
            )
        before = ledger.billed(uow.session, document)
        earlier = cancellations_of(uow, document.id)
        if document.kind == "licence":
            effective: date | None = _licence_effective(before, lines, effective_date)
            chosen: list[int] = []
        else:
            effective = None
            chosen = _lines_to_cancel(document, lines, {i for c in earlier for i in c.lines})
        whole = effective is not None or len({i for c in earlier for i in c.lines}) + len(
            chosen
        ) == len(document.totals.get("lines", []))
        cancellation = Cancellation(
            document_id=document.id,
            lines=chosen,
            net="0",
            tax="0",
            total="0",
            whole=whole,
            reason=reason,
            cancelled_by_id=actor.id,
            effective_on=effective,
        )
        uow.session.add(cancellation)
        uow.session.flush()
        credits = ledger.adjust(
            uow,
            ledger.billed(uow.session, document),
            cause=document,
            prefix=f"cancellation-{cancellation.id}",
            invoice_on=utcnow().date(),
            reason=reason,
            only=None if whole else {f"line-{i + 1}" for i in chosen},
        )
        _sum_credits(cancellation, credits)
        if whole:
            document.status = CANCELLED
        audit.record_event(
            uow.session,
            tag="document.cancelled" if whole else "document.lines_cancelled",
            subject=document,
            actor=actor,
            data={
                "lines": chosen,
                "effective_date": effective.isoformat() if effective else None,
                "net": cancellation.net,
                "tax": cancellation.tax,
                "total": cancellation.total,
                "reason": reason,
                "credit_notes": [str(c.id) for c in credits],
            },
        )
        uow.commit()
        return cancellation


def _sum_credits(cancellation: Cancellation, credits: list[Invoice]) -> None:
    """What the cancellation credits, as amounts credited (positive)."""
    net = -sum((Decimal(c.totals["net"]) for c in credits), Decimal(0))
    tax = -sum((Decimal(c.totals["tax"]) for c in credits), Decimal(0))
    cancellation.net, cancellation.tax, cancellation.total = str(net), str(tax), str(net + tax)
    cancellation.event_id = next((c.event_id for c in credits if c.event_id), None)
