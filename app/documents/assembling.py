"""A document's data made into an assembled document: the template package, the record as
stored, the approvals the matrix requires, and assembling a stored document again."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from app.approvals import rules
from app.assembly.document import AssembledDocument, Party, PricedLineInput
from app.assembly.kinds import Kind
from app.assembly.quote import valid_until
from app.assembly.schemas import DocumentData, QuoteData
from app.assembly.tax import STANDARD_CATEGORY, TaxRules
from app.documents.models import Document, DocumentClause
from app.documents.records import get_document
from app.documents.resolve import Resolved, document_input, kind_of, parse_data
from app.library.models import TemplateVersion
from app.library.template_packages import TemplatePackage
from app.library.templates import package_for
from app.uow import UnitOfWork


def package_for_version(uow: UnitOfWork, version: TemplateVersion) -> TemplatePackage:
    return package_for(version, uow.settings.template_cache_dir)


def package_of(uow: UnitOfWork, document: Document) -> TemplatePackage:
    """The template package a document was made from (its pinned template version)."""
    return package_for_version(uow, document.template_version)


def assemble(
    uow: UnitOfWork,
    package: TemplatePackage,
    data: DocumentData,
    resolved: Resolved,
    *,
    number: str,
    issued_on: date,
) -> AssembledDocument:
    doc = document_input(uow, package, data, resolved, number=number, issued_on=issued_on)
    return kind_of(package).assemble(doc)


def required_approvals(
    uow: UnitOfWork, data: DocumentData, assembled: AssembledDocument, issued_on: date
) -> list[dict[str, Any]]:
    """The approvals the matrix requires for the document as assembled."""
    return rules.required(
        uow.session,
        uow.settings.approval_matrix,
        assembled.record,
        data.model_dump(mode="json"),
        issued_on,
    )


def data_record(data: DocumentData, jurisdiction: str, issued_on: date) -> dict[str, Any]:
    """The data as stored: what was asked, with the defaults that were applied."""
    record = {
        **data.model_dump(mode="json"),
        "jurisdiction": jurisdiction,
        "issued_on": issued_on.isoformat(),
    }
    if isinstance(data, QuoteData):
        record["valid_until"] = valid_until(data, issued_on).isoformat()
    return record


def customer_record(resolved: Resolved) -> dict[str, Any]:
    customer = resolved.customer
    return {
        "name": customer.name,
        "address": customer.address,
        "country": customer.country,
        "vat_id": customer.vat_id,
        "account_id": str(resolved.account_id) if resolved.account_id else None,
    }


def stored_data(kind: Kind, record: dict[str, Any]) -> DocumentData:
    return parse_data(kind, {k: v for k, v in record.items() if k != "issued_on"})


def pin_clauses(session: Session, document: Document, resolved: Resolved) -> None:
    for pinned in list(document.clauses):
        session.delete(pinned)
    session.flush()
    for position, version in enumerate(resolved.clauses):
        session.add(
            DocumentClause(document_id=document.id, clause_version_id=version.id, position=position)
        )
    session.flush()
    session.expire(document, ["clauses"])


def _resolved_from_record(document: Document) -> Resolved:
    """The document exactly as recorded: its customer, prices and pinned clause versions,
    whatever the catalogue or the library hold today."""
    customer = document.customer
    return Resolved(
        customer=Party(
            name=customer["name"],
            address=customer["address"],
            country=customer["country"],
            vat_id=customer["vat_id"],
        ),
        account_id=document.account_id,
        lines=[
            PricedLineInput(
                line["sku"],
                line["description"],
                line["quantity"],
                Decimal(line["unit_price"]),
                Decimal(line["discount_percent"]),
                Decimal(line.get("discount_amount", "0")),
                Decimal(line["list_price"]) if line.get("list_price") else None,
                line.get("tax_category", STANDARD_CATEGORY),
            )
            for line in document.totals["lines"]
        ],
        clauses=[dc.clause_version for dc in document.clauses],
        tax=TaxRules.from_record(document.totals),
    )


def assembled_from_record(uow: UnitOfWork, document: Document) -> AssembledDocument:
    """The document assembled again from its record, the template version and the clause
    versions it pinned: the same text, whatever the library holds today."""
    package = package_for_version(uow, document.template_version)
    data = parse_data(
        kind_of(package), {k: v for k, v in document.data.items() if k != "issued_on"}
    )
    return assemble(
        uow,
        package,
        data,
        _resolved_from_record(document),
        number=document.number,
        issued_on=date.fromisoformat(document.data["issued_on"]),
    )


def assemble_stored(uow: UnitOfWork, document_id: uuid.UUID) -> AssembledDocument:
    """Assemble a stored document again from its own record (for re-renders and checks)."""
    with uow:
        return assembled_from_record(uow, get_document(uow.session, document_id))
