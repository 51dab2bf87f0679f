"""When invoices go out: at signature, the invoices already due (a contract's first period
at least; an amendment's differences for the periods already invoiced); every later period
by the daily sweep on the day it starts.

The sweep rather than every invoice at signature: an invoice sent when its period starts
carries the contract as it stands that day (amendments signed since, the PO set for that
period, a cancellation), so nothing sent ever has to be taken back for a change that came
before its date. The sweep is idempotent (a period's invoice has one ledger key) and takes
`today` as a parameter, so it can be run again, late, or twice at once."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from app.billing import ledger
from app.billing.models import Invoice
from app.db import utcnow
from app.documents.models import AMENDMENT, CANCELLED, SIGNED, Document
from app.documents.records import locked
from app.uow import UnitOfWork

log = logging.getLogger(__name__)


def on_signed(uow: UnitOfWork, document: Document, today: date | None = None) -> list[Invoice]:
    """In the transaction that records the last signature: the invoices it gives rise to."""
    today = today or utcnow().date()
    session = uow.session
    if document.kind in ledger.INVOICED_KINDS:
        locked(session, document.id)
        return ledger.issue_due(uow, ledger.billed(session, document), today, first=True)
    if document.relation != AMENDMENT or document.parent_id is None:
        return []
    licence = locked(session, document.parent_id)
    if not ledger.rows_of(session, licence.id):
        return []  # signed before the ledger: its trigger carried its whole schedule
    view = ledger.billed(session, licence)
    effective = date.fromisoformat(document.data["effective_date"])
    return [
        *ledger.adjust(
            uow,
            view,
            cause=document,
            prefix=document.number,
            invoice_on=max(effective, today),
            po=document.data.get("po_number"),
        ),
        *ledger.issue_due(uow, view, today),
    ]


@dataclass
class SweepResult:
    issued: list[uuid.UUID] = field(default_factory=list)
    released: list[uuid.UUID] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def sweep(uow: UnitOfWork, *, today: date | None = None) -> SweepResult:
    """Issue the invoices due by `today` and send the held ones whose PO has come, one
    contract per transaction. Contracts enter the ledger at signature; one signed before
    it has no rows and is left to the schedule its trigger carried."""
    today = today or utcnow().date()
    result = SweepResult()
    with uow:
        contracts = list(
            uow.session.scalars(
                select(Invoice.contract_id)
                .join(Document, Document.id == Invoice.contract_id)
                .where(Document.status.in_((SIGNED, CANCELLED)))
                .distinct()
            )
        )
    for contract_id in contracts:
        try:
            with uow:
                contract = locked(uow.session, contract_id)
                view = ledger.billed(uow.session, contract)
                released = ledger.release(uow, view)
                issued = ledger.issue_due(uow, view, today)
                uow.commit()
        except Exception as exc:  # one contract that cannot be invoiced never stops the rest
            log.exception("invoicing contract %s failed", contract_id)
            result.problems.append(f"{contract_id}: {exc}")
            continue
        result.issued += [row.id for row in issued]
        result.released += [row.id for row in released]
    return result
