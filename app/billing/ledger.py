"""The invoice ledger: what a signed contract has been invoiced, period by period, and
the one place that writes an invoice, an adjustment or a credit note and sends it.

A contract is invoiced from the subscription model as it stands now (the licence after
its signed amendments, ended by its cancellation; a quote's one period less the lines
cancelled). A period is invoiced once, when it is due (`period-N`); a signed amendment or
a cancellation then books, for each period already invoiced, the difference between what
it is worth now and what its rows add up to (`adjustments`), so that over the ledger
invoices less credits always equal the contract's value. Writers hold the contract's row
lock, and the (contract, key) uniqueness makes a second writer's row vanish, so two sweeps
at once issue a period once."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.accounts.models import Account
from app.assembly.schemas import QuoteData
from app.assembly.subscription.contract import Contract, cancel
from app.assembly.subscription.invoices import PeriodInvoice, adjustments, schedule
from app.assembly.subscription.periods import Period
from app.billing import services as billing
from app.billing.invoice_lines import (
    adjustment_lines,
    invoice_date,
    invoiced,
    period_lines,
    quote_invoice,
    totals_of,
)
from app.billing.models import (
    ADJUSTMENT,
    CREDIT,
    HELD,
    INVOICE,
    ISSUED,
    Cancellation,
    Invoice,
    OutboxEvent,
    PurchaseOrder,
)
from app.billing.payloads import invoice_event_data, schedule_entries
from app.billing.tax_notes import tax_note
from app.db import utcnow
from app.documents.contracts import as_amended, document_rates, stored_data
from app.documents.models import Document
from app.uow import UnitOfWork

INVOICED_KINDS = ("licence", "quote")


@dataclass(frozen=True)
class Billed:
    """A signed contract as the ledger invoices it now."""

    contract: Document
    """The licence or the quote."""
    periods: tuple[PeriodInvoice, ...]
    """Its invoice periods priced as it stands now; none left once cancelled from its start."""
    term: Period
    """The term before any cancellation (the dates a cancellation may take effect in)."""
    amendments: tuple[str, ...] = ()

    def period(self, number: int) -> PeriodInvoice | None:
        return next((p for p in self.periods if p.number == number), None)


def _ended(contract: Contract, effective: date | None) -> Contract | None:
    """The contract cancelled from `effective` (None: nothing left to charge)."""
    if effective is None:
        return contract
    if effective <= contract.term.start:
        return None
    return cancel(contract, effective) if effective <= contract.term.end else contract


def billed(session: Session, contract: Document) -> Billed:
    """The contract as it stands now, priced period by period."""
    cancellations = list(
        session.scalars(select(Cancellation).where(Cancellation.document_id == contract.id))
    )
    if contract.kind == "quote":
        data = stored_data(contract, QuoteData)
        asked = data.subscription_period(date.fromisoformat(contract.data["issued_on"]))
        period = Period(asked.start, asked.end)
        invoice = quote_invoice(
            contract.totals,
            currency=contract.currency,
            period=period,
            rate_of=document_rates(contract),
        )
        gone = {f"line-{i + 1}" for c in cancellations for i in c.lines}
        if any(c.whole for c in cancellations):
            return Billed(contract, (), period)
        kept = tuple(line for line in invoice.lines if line.key not in gone)
        return Billed(contract, (PeriodInvoice(1, period, kept, invoice.totals),), period)
    current = as_amended(session, contract.id, cancelled_too=True)
    effective = next((c.effective_on for c in cancellations if c.effective_on), None)
    ended = _ended(current.contract, effective)
    return Billed(
        contract,
        tuple(schedule(ended, current.rate_of)) if ended else (),
        current.contract.term,
        tuple(a.number for a in current.consolidated.amendments),
    )


def rows_of(session: Session, contract_id: uuid.UUID) -> list[Invoice]:
    return list(
        session.scalars(
            select(Invoice)
            .where(Invoice.contract_id == contract_id)
            .order_by(Invoice.period_number, Invoice.created_at)
        )
    )


def po_for(session: Session, contract: Document, number: int) -> str | None:
    """The PO set for a period; for the first, the contract's own until one is set."""
    set_ = session.scalar(
        select(PurchaseOrder.po_number).where(
            PurchaseOrder.contract_id == contract.id, PurchaseOrder.period_number == number
        )
    )
    return set_ or (contract.data.get("po_number") if number == 1 else None)


def _account(session: Session, contract: Document) -> Account | None:
    return session.get(Account, contract.account_id) if contract.account_id else None


def _held(session: Session, contract: Document, po: str | None) -> bool:
    account = _account(session, contract)
    return po is None and account is not None and account.requires_po


def bill_to(session: Session, contract: Document) -> dict[str, Any]:
    account = _account(session, contract)
    return {**contract.customer, "erp_id": account.erp_id if account else None}


def record(
    uow: UnitOfWork,
    view: Billed,
    *,
    key: str,
    kind: str,
    cause: Document,
    number: int,
    period: Period,
    lines: list[dict[str, Any]],
    invoice_on: date,
    po: str | None,
    reason: str = "",
) -> Invoice | None:
    """Write one ledger row and send it, or hold it for its PO; None if the row exists
    already (another writer got there first)."""
    session, contract = uow.session, view.contract
    treatment = contract.totals.get("tax_treatment", "given")
    row = Invoice(
        contract_id=contract.id,
        document_id=cause.id,
        key=key,
        kind=kind,
        status=HELD,
        period_number=number,
        period_start=period.start,
        period_end=period.end,
        invoice_on=invoice_on,
        due_on=invoice_on + timedelta(days=billing.PAYMENT_DAYS),
        bill_to=bill_to(session, contract),
        lines=lines,
        totals=totals_of(lines),
        currency=contract.currency,
        tax_treatment=treatment,
        tax_note=tax_note(treatment, contract.data.get("language", "en")),
        po_number=po,
        contract_number=contract.number,
        contract_version=contract.current_version,
        amendments=list(view.amendments),
        reason=reason,
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return None
    if not _held(session, contract, po):
        send(uow, view, row)
    return row


def send(uow: UnitOfWork, view: Billed, row: Invoice) -> OutboxEvent:
    """Issue a row: one `invoice.trigger` (or `invoice.credit`) describing it alone."""
    session = uow.session
    cause = session.get(Document, row.document_id)
    assert cause is not None
    row.status = ISSUED
    row.issued_at = utcnow()
    periods = schedule_entries(view.periods, rows_of(session, row.contract_id))
    event = billing.emit(
        session,
        event_type="invoice.credit" if row.kind == CREDIT else "invoice.trigger",
        document=cause,
        data=invoice_event_data(row, cause, view.contract, periods),
    )
    row.event_id = event.id
    uow.enqueue("billing.deliver_event", event_id=str(event.id))
    return event


def issue_due(uow: UnitOfWork, view: Billed, today: date, *, first: bool = False) -> list[Invoice]:
    """Invoice every period due by `today` that has no invoice yet (`first`: the first
    period too, whenever it starts: a contract is invoiced on signature)."""
    done = {row.key for row in rows_of(uow.session, view.contract.id)}
    issued = []
    for period in view.periods:
        key = f"period-{period.number}"
        due = period.invoice_on <= today or (first and period.number == 1)
        if not due or key in done or not period.lines:
            continue
        row = record(
            uow,
            view,
            key=key,
            kind=INVOICE,
            cause=view.contract,
            number=period.number,
            period=period.period,
            lines=period_lines(period),
            invoice_on=invoice_date(period.period.start, today),
            po=po_for(uow.session, view.contract, period.number),
        )
        if row is not None:
            issued.append(row)
    return issued


def adjust(
    uow: UnitOfWork,
    view: Billed,
    *,
    cause: Document,
    prefix: str,
    invoice_on: date,
    po: str | None = None,
    reason: str = "",
    only: set[str] | None = None,
) -> list[Invoice]:
    """For each period with rows, an adjustment invoice (or a credit note, if it comes to
    less than nothing) that brings what it was invoiced to what it is worth now; `only`:
    just these contract lines (a quote's lines cancelled one by one)."""
    by_number: dict[int, list[Invoice]] = defaultdict(list)
    for row in rows_of(uow.session, view.contract.id):
        by_number[row.period_number].append(row)
    written = []
    for number, rows in sorted(by_number.items()):
        target = view.period(number)
        so_far = invoiced(row.lines for row in rows)
        if only is not None:
            so_far = {key: line for key, line in so_far.items() if key in only}
            target = None
        lines = adjustments(target, so_far)
        if not lines:
            continue
        period = target.period if target else Period(rows[0].period_start, rows[0].period_end)
        total = sum((line.gross for line in lines), Decimal(0))
        booked = record(
            uow,
            view,
            key=f"{prefix}:period-{number}",
            kind=CREDIT if total < 0 else ADJUSTMENT,
            cause=cause,
            number=number,
            period=period,
            lines=adjustment_lines(lines, target, (line for r in rows for line in r.lines), period),
            invoice_on=invoice_on,
            po=po or po_for(uow.session, view.contract, number),
            reason=reason,
        )
        if booked is not None:
            written.append(booked)
    return written


def release(uow: UnitOfWork, view: Billed) -> list[Invoice]:
    """Send the contract's held rows whose PO has come (or is no longer required)."""
    released = []
    for row in rows_of(uow.session, view.contract.id):
        if row.status != HELD:
            continue
        po = row.po_number or po_for(uow.session, view.contract, row.period_number)
        if _held(uow.session, view.contract, po):
            continue
        row.po_number = po
        send(uow, view, row)
        released.append(row)
    return released
