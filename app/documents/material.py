"""What counts as a material change of a document: one list, read by the approval
controls and shown in the README.

A material change is a change of the document's commercial or legal content. Whoever
makes one cannot approve the document until it is next approved in full (segregation of
duties), and one made after an approval voids every approval given (re-approval). Every
field of every kind's data is either material or not; a test holds the lists complete.
"""

from __future__ import annotations

from typing import Any

from app.assembly.schemas import DocumentData

MATERIAL_FIELDS: dict[str, str] = {
    "account": "customer",
    "currency": "prices",
    "lines": "lines, prices and line discounts",
    "discount_percent": "header discount",
    "discount_amount": "header discount",
    "tax_rate_percent": "prices",
    "valid_until": "validity",
    "term": "dates",
    "annual_uplift_percent": "prices",
    "effective_date": "dates",
    "new_end_date": "dates",
    "agreement": "the agreement amended",
    "notice_days": "dates",
    "sites": "licensed sites",
    "authorised_users": "licensed users",
    "perpetual_access": "legal terms",
    "clause_positions": "clauses",
    "language": "clauses",
    "jurisdiction": "clauses",
    "notes": "notes",
    "customer_signatory": "signatories",
    "seller_signatory": "signatories",
    "titles": "attached title list",
    "titles_added": "attached title list",
    "titles_removed": "attached title list",
    "reference": "attached title list",
    "year": "attached title list",
    "subscription": "dates",
    "invoice_periods": "invoicing",
    "products_added": "lines, prices and line discounts",
    "price_changes": "lines, prices and line discounts",
    "fees": "lines, prices and line discounts",
}
"""Data field → what it stands for. Besides these, the customer record, the priced figures
and the pinned clause versions are compared (a catalogue or library change shows there)."""

NOT_MATERIAL: dict[str, str] = {
    "internal_comment": "for colleagues only, never printed",
    "po_number": "the customer's own reference, set after approval in practice",
}


def material_changes(
    before: DocumentData,
    after: DocumentData,
    *,
    customer_before: dict[str, Any],
    customer_after: dict[str, Any],
    clauses_before: list[str],
    clauses_after: list[str],
) -> list[str]:
    """The material fields that differ, by name (e.g. `notes`, `clauses`); empty when none."""
    changed = [
        name
        for name in MATERIAL_FIELDS
        if _canonical(getattr(before, name, None)) != _canonical(getattr(after, name, None))
    ]
    if customer_before != customer_after and "account" not in changed:
        changed.append("customer")
    if clauses_before != clauses_after:
        changed.append("clause versions")
    return changed


def _canonical(value: Any) -> Any:
    return value if value not in (None, "", [], {}) else None
