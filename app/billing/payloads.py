"""The one shape of `invoice.trigger` and `invoice.credit`: each event describes exactly one
ledger row (an invoice, an adjustment invoice or a credit note) and nothing else at its top
level, so no figure in it can contradict another. `schedule` is a read-only view of the
contract's invoice periods as they stand when the event is written, each with what it is
worth and whether it has been invoiced, held or is still to come."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from app.assembly.subscription.invoices import PeriodInvoice
from app.billing.models import HELD, INVOICE, ISSUED, Invoice
from app.documents.models import Document

INVOICED = "invoiced"
TO_COME = "to_come"


def schedule_entries(
    periods: Sequence[PeriodInvoice], rows: Sequence[Invoice]
) -> list[dict[str, Any]]:
    """Each period of the contract as it stands: its dates and value, and its state in the
    ledger (an invoiced period's value is what its rows add up to, its date its invoice's;
    a period to come is invoiced on its first day)."""
    states: dict[int, set[str]] = {}
    dated = {}
    for row in rows:
        states.setdefault(row.period_number, set()).add(row.status)
        if row.kind == INVOICE:
            dated[row.period_number] = row.invoice_on
    out = []
    for period in periods:
        net = sum((line.net for line in period.lines), Decimal(0))
        tax = sum((line.tax for line in period.lines), Decimal(0))
        state = states.get(period.number, set())
        out.append(
            {
                "period": period.number,
                "start": period.period.start.isoformat(),
                "end": period.period.end.isoformat(),
                "invoice_on": dated.get(period.number, period.invoice_on).isoformat(),
                "net": str(net),
                "tax": str(tax),
                "total": str(net + tax),
                "status": INVOICED if ISSUED in state else HELD if state else TO_COME,
            }
        )
    return out


def invoice_event_data(
    row: Invoice, cause: Document, contract: Document, schedule: list[dict[str, Any]]
) -> dict[str, Any]:
    """What an ERP needs to raise one invoice or credit note, and nothing more."""
    return {
        "invoice_id": str(row.id),
        "kind": row.kind,
        "document_id": str(cause.id),
        "document_number": cause.number,
        "document_version": cause.current_version,
        "contract": {
            "id": str(contract.id),
            "number": row.contract_number,
            "kind": contract.kind,
            "version": row.contract_version,
            "amendments": row.amendments,
        },
        "external_ref": contract.external_ref,
        "bill_to": row.bill_to,
        "po_number": row.po_number,
        "currency": row.currency,
        "period": {
            "number": row.period_number,
            "start": row.period_start.isoformat(),
            "end": row.period_end.isoformat(),
        },
        "invoice_on": row.invoice_on.isoformat(),
        "due_on": row.due_on.isoformat(),
        "lines": row.lines,
        **{key: row.totals[key] for key in ("subtotal", "discount", "net", "tax", "total")},
        "tax_bands": row.totals["bands"],
        "tax_treatment": row.tax_treatment,
        "tax_note": row.tax_note,
        "reason": row.reason,
        "schedule": schedule,
    }
