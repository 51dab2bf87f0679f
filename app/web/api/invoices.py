"""A contract's invoices and the POs for its periods; the invoices held for a PO; the
accounts that require one."""

from __future__ import annotations

import uuid
from typing import Any

from apiflask import APIBlueprint

from app.billing import purchase_orders
from app.billing.models import Invoice
from app.billing.purchase_orders import Invoicing
from app.users import scopes
from app.web.api.auth import auth, current_user
from app.web.context import unit_of_work
from app.web.hygiene import small_body
from app.web.schemas.invoices import (
    AccountChange,
    AccountOut,
    InvoicesOut,
    InvoicesQuery,
    InvoicingOut,
    PurchaseOrderIn,
)

bp = APIBlueprint("api_invoices", __name__, url_prefix="/api/v1", tag="Invoices")


def invoice_out(row: Invoice) -> dict[str, Any]:
    return {
        "id": row.id,
        "contract_id": row.contract_id,
        "contract_number": row.contract_number,
        "document_id": row.document_id,
        "kind": row.kind,
        "status": row.status,
        "period": row.period_number,
        "period_start": row.period_start,
        "period_end": row.period_end,
        "invoice_on": row.invoice_on,
        "due_on": row.due_on,
        "po_number": row.po_number,
        "currency": row.currency,
        "lines": row.lines,
        "net": row.totals["net"],
        "tax": row.totals["tax"],
        "total": row.totals["total"],
        "tax_bands": row.totals["bands"],
        "tax_treatment": row.tax_treatment,
        "tax_note": row.tax_note,
        "reason": row.reason,
        "webhook_id": row.webhook_id,
        "issued_at": row.issued_at,
    }


def invoicing_out(invoicing: Invoicing) -> dict[str, Any]:
    return {
        "periods": invoicing.periods,
        "invoices": [invoice_out(row) for row in invoicing.invoices],
    }


@bp.get("/documents/<uuid:document_id>/invoices")
@bp.auth_required(auth, roles=[scopes.READ])
@bp.output(InvoicingOut)
@bp.doc(
    summary="A signed contract's invoice periods, their POs, and its invoices and credits",
    description="Periods as the contract stands now (after its amendments, ended by a "
    "cancellation); invoices as the ledger holds them, each sent once as invoice.trigger "
    "or invoice.credit, or held for the customer's PO.",
    responses=[404],
)
def invoicing(document_id: uuid.UUID) -> dict[str, Any]:
    return invoicing_out(purchase_orders.invoicing_of(unit_of_work(), document_id))


@bp.post("/documents/<uuid:document_id>/purchase-orders")
@bp.auth_required(auth, roles=[scopes.WRITE])
@bp.input(PurchaseOrderIn)
@bp.output(InvoicingOut)
@bp.doc(
    summary="Set the customer's PO for an invoice period not invoiced yet",
    description="Support and finance. An invoice held for this PO goes out at once. A "
    "period already invoiced keeps its PO: 422 at `/period`.",
    responses=[403, 404, 409, 422],
)
@small_body
def set_po(document_id: uuid.UUID, json_data: PurchaseOrderIn) -> dict[str, Any]:
    purchase_orders.set_po(
        unit_of_work(),
        document_id,
        period=json_data.period,
        po_number=json_data.po_number,
        actor=current_user(),
    )
    return invoicing_out(purchase_orders.invoicing_of(unit_of_work(), document_id))


@bp.get("/invoices")
@bp.auth_required(auth, roles=[scopes.READ])
@bp.input(InvoicesQuery, location="query")
@bp.output(InvoicesOut)
@bp.doc(summary="Invoices held for want of the customer's PO, oldest first")
def held(query_data: InvoicesQuery) -> dict[str, Any]:
    return {"invoices": [invoice_out(row) for row, _ in purchase_orders.held(unit_of_work())]}


@bp.patch("/accounts/<uuid:account_id>")
@bp.auth_required(auth, roles=[scopes.WRITE])
@bp.input(AccountChange)
@bp.output(AccountOut)
@bp.doc(summary="Whether an account's invoices require its PO (finance)", responses=[403, 404])
@small_body
def change_account(account_id: uuid.UUID, json_data: AccountChange) -> dict[str, Any]:
    account = purchase_orders.set_requires_po(
        unit_of_work(), account_id, requires_po=json_data.requires_po, actor=current_user()
    )
    return {"id": account.id, "name": account.name, "requires_po": account.requires_po}
