"""The contract's data as the JSON file embedded in its PDF (`contract.json`, associated
with the document as /Data), so that an ERP or an archive reads the contract without
calling us.

The shape (`schema` names its version; a change of shape is a new version):

    schema      "contractdesk.contract-data/1"
    document    number, kind, version, language, issued_on, made_at (the version's creation
                time, UTC), currency, external_ref, template {key, version, sha256}
    parties     seller {name, address_lines, vat_id}; customer {name, address, country, vat_id}
    term        {start, end, years} for a document with a term, else null
    periods     each invoice period: year, starts, ends, invoice_on, subtotal, discount,
                net, tax, total, bands [{rate_percent, net, tax}]; empty without a term
    lines       each fee line: sku, description, quantity, unit_price, discount_percent,
                discount_amount, list_price, amount, net, tax_category, tax_rate_percent,
                tax_treatment, tax
    totals      subtotal, discount, net, tax, total, tax_rate_percent, tax_treatment,
                bands
    clauses     in document order: key, version, language, sha256 of the approved text
    data        the data the document was made from, as stored

Every amount is a decimal string (never a JSON number), dates ISO 8601. Keys are sorted
and the text is UTF-8, so the same version gives the same bytes.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from app.assembly.document import AssembledDocument
from app.documents.models import Document

SCHEMA = "contractdesk.contract-data/1"
TOTAL_KEYS = (  # a document record's totals, as its data file and the API's preview give them
    "subtotal",
    "discount",
    "net",
    "tax",
    "total",
    "tax_rate_percent",
    "tax_treatment",
    "bands",
)


def contract_data(
    document: Document, assembled: AssembledDocument, *, version: int, made_at: datetime
) -> dict[str, Any]:
    """The document's data for one version, from its record and its assembly."""
    data, totals = document.data, document.totals
    seller = assembled.context.get("seller", {})
    template = document.template_version
    term = data.get("term")
    periods = totals.get("years", [])
    return {
        "schema": SCHEMA,
        "document": {
            "number": document.number,
            "kind": document.kind,
            "version": version,
            "language": data.get("language"),
            "issued_on": data.get("issued_on"),
            "made_at": made_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "currency": document.currency,
            "external_ref": document.external_ref,
            "template": {
                "key": template.template.key,
                "version": template.version,
                "sha256": template.sha256,
            },
        },
        "parties": {
            "seller": {
                "name": seller.get("name"),
                "address_lines": seller.get("address_lines", []),
                "vat_id": seller.get("vat_id") or None,
            },
            "customer": {
                key: document.customer.get(key) for key in ("name", "address", "country", "vat_id")
            },
        },
        "term": (
            {"start": periods[0]["starts"], "end": periods[-1]["ends"], "years": len(periods)}
            if term and periods
            else None
        ),
        "periods": periods,
        "lines": totals.get("lines", []),
        "totals": {key: totals.get(key) for key in TOTAL_KEYS},
        "clauses": [
            {
                "key": pinned.clause_version.clause.key,
                "version": pinned.clause_version.version,
                "language": pinned.clause_version.language,
                "sha256": pinned.clause_version.sha256,
            }
            for pinned in document.clauses
        ],
        "data": data,
    }


def contract_json(
    document: Document, assembled: AssembledDocument, *, version: int, made_at: datetime
) -> bytes:
    """`contract_data` as the bytes embedded in the PDF."""
    record = contract_data(document, assembled, version=version, made_at=made_at)
    return json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True).encode()
