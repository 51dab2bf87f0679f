"""Purchase orders per invoice period, the accounts that require one, the invoices held
for want of one, and a contract's invoicing as the API and the pages show it.

A customer raises a PO per year of a subscription, often only weeks before the year's
invoice: so a PO is set per period, for any period not invoiced yet (an invoice sent keeps
the PO it was sent with). For a customer that requires a PO, an invoice due without one is
held, not sent, until the PO is set (which sends it at once) or the sweep finds it set."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.accounts.models import Account
from app.audit import services as audit
from app.billing import ledger
from app.billing.models import HELD, ISSUED, Invoice, PurchaseOrder
from app.billing.payloads import schedule_entries
from app.documents.models import SIGNED, Document
from app.documents.records import get_document, locked
from app.errors import Conflict, FieldError, Forbidden, InvalidInput, NotFound
from app.uow import UnitOfWork
from app.users.models import User

PO_ROLES = frozenset({"support", "manager", "finance", "admin"})
ACCOUNT_ROLES = frozenset({"finance", "admin"})


@dataclass(frozen=True)
class Invoicing:
    """A contract's invoice periods (with their PO and state) and its ledger rows."""

    contract: Document
    periods: list[dict[str, Any]]
    invoices: list[Invoice]


def invoicing_of(uow: UnitOfWork, contract_id: uuid.UUID) -> Invoicing:
    with uow:
        contract = get_document(uow.session, contract_id)
        if contract.kind not in ledger.INVOICED_KINDS or contract.status == "draft":
            return Invoicing(contract, [], [])
        rows = ledger.rows_of(uow.session, contract.id)
        if contract.status not in (SIGNED, "cancelled"):
            return Invoicing(contract, [], rows)
        view = ledger.billed(uow.session, contract)
        periods = schedule_entries(view.periods, rows)
        for period in periods:
            period["po_number"] = ledger.po_for(uow.session, contract, period["period"])
        return Invoicing(contract, periods, rows)


def set_po(
    uow: UnitOfWork, contract_id: uuid.UUID, *, period: int, po_number: str, actor: User
) -> list[Invoice]:
    """Set the PO of a period not invoiced yet; answers the held invoices it sends."""
    if actor.role not in PO_ROLES:
        raise Forbidden("support and finance set purchase orders")
    po_number = po_number.strip()
    if not po_number:
        raise InvalidInput("give the PO number", [FieldError("/po_number", "required", "required")])
    with uow:
        contract = locked(uow.session, contract_id)
        if contract.kind not in ledger.INVOICED_KINDS or contract.status != SIGNED:
            raise Conflict(
                f"{contract.number} is a {contract.status} {contract.kind}: POs are set for "
                "the periods of a signed licence or quote",
                code="not_signed",
            )
        view = ledger.billed(uow.session, contract)
        if view.period(period) is None:
            numbers = [p.number for p in view.periods]
            raise InvalidInput(
                "no such invoice period",
                [
                    FieldError(
                        "/period",
                        f"the periods are {numbers[0]} to {numbers[-1]}"
                        if numbers
                        else "the contract has no periods left",
                        "no_such_period",
                    )
                ],
            )
        rows = [r for r in ledger.rows_of(uow.session, contract.id) if r.period_number == period]
        sent = next((r for r in rows if r.status == ISSUED), None)
        if sent is not None:
            raise InvalidInput(
                "the period is invoiced already",
                [
                    FieldError(
                        "/period",
                        f"period {period} was invoiced on {sent.invoice_on} under PO "
                        f"{sent.po_number or '(none)'}; its PO can no longer change",
                        "period_invoiced",
                        {"period": str(period)},
                    )
                ],
            )
        _upsert(uow, contract, period, po_number, actor)
        released = ledger.release(uow, view)
        audit.record_event(
            uow.session,
            tag="invoice.po_set",
            subject=contract,
            actor=actor,
            data={"period": period, "po_number": po_number, "released": len(released)},
        )
        uow.commit()
        return released


def _upsert(uow: UnitOfWork, contract: Document, period: int, po: str, actor: User) -> None:
    row = uow.session.scalar(
        select(PurchaseOrder).where(
            PurchaseOrder.contract_id == contract.id, PurchaseOrder.period_number == period
        )
    )
    if row is None:
        uow.session.add(
            PurchaseOrder(
                contract_id=contract.id, period_number=period, po_number=po, set_by_id=actor.id
            )
        )
    else:
        row.po_number, row.set_by_id = po, actor.id
    uow.session.flush()


def held(uow: UnitOfWork) -> list[tuple[Invoice, Document]]:
    """Every invoice held for its PO, oldest first, with its contract."""
    with uow:
        return [
            (row, contract)
            for row, contract in uow.session.execute(
                select(Invoice, Document)
                .join(Document, Document.id == Invoice.contract_id)
                .where(Invoice.status == HELD)
                .order_by(Invoice.invoice_on, Invoice.created_at)
            )
        ]


def set_requires_po(
    uow: UnitOfWork, account_id: uuid.UUID, *, requires_po: bool, actor: User
) -> Account:
    """Whether the customer's invoices need its PO (held without one)."""
    if actor.role not in ACCOUNT_ROLES:
        raise Forbidden("finance decides which accounts require a PO")
    with uow:
        account = uow.session.get(Account, account_id)
        if account is None:
            raise NotFound(f"no account {account_id}")
        account.requires_po = requires_po
        audit.record_event(
            uow.session,
            tag="account.requires_po",
            subject=account,
            actor=actor,
            data={"requires_po": requires_po},
        )
        uow.commit()
        return account
