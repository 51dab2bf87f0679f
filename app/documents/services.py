"""The document lifecycle: create (assemble, render, store), approve, regenerate, read files."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import counters
from app.approvals import rules
from app.assembly.approval_matrix import APPROVER_ROLES as MATRIX_ROLES
from app.assembly.document import AssembledDocument, Party, PricedLineInput
from app.assembly.kinds import Kind
from app.assembly.quote import valid_until
from app.assembly.schemas import DocumentData, QuoteData
from app.assembly.tax import STANDARD_CATEGORY, TaxRules
from app.audit import services as audit
from app.billing import services as billing
from app.db import utcnow
from app.documents import version_inputs
from app.documents.contract_data import contract_json
from app.documents.marking import unstored_marks, version_marks
from app.documents.material import material_changes
from app.documents.models import (
    APPROVED,
    DRAFT,
    PENDING_APPROVAL,
    REJECTED,
    RENEWAL,
    Document,
    DocumentClause,
    DocumentEdit,
    DocumentFile,
)
from app.documents.resolve import (
    Resolved,
    document_input,
    kind_of,
    parse_data,
    resolve,
    with_defaults,
)
from app.documents.revisions import priced_change_items, priced_changes
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.jobs.calls import call_job
from app.library.clause_files import PREFERRED
from app.library.models import TemplateVersion
from app.library.template_packages import TemplatePackage
from app.library.templates import package_for, published_version
from app.mail import events as mail
from app.observability.metrics import RENDER_SECONDS
from app.rendering.docx import render_docx
from app.rendering.long_grid_pdf import render_long_grid_pdf
from app.rendering.page_marks import PageMarks
from app.rendering.pdf import Archival, render_pdf
from app.rendering.tables import render_csv, render_xlsx, title_table
from app.titles.kbart import kbart_filename, render_kbart
from app.uow import UnitOfWork
from app.users.models import User

log = logging.getLogger(__name__)

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "signed": "application/pdf",
    "certificate": "application/pdf",
    "confirmation": "application/pdf",
    "kbart": "text/tab-separated-values; charset=utf-8",
}
CREATOR_ROLES = frozenset({"support", "manager", "admin"})


@dataclass(frozen=True)
class Parent:
    """The document a new one amends or renews."""

    document_id: uuid.UUID
    relation: str

    def as_json(self) -> dict[str, str]:
        return {"document_id": str(self.document_id), "relation": self.relation}

    @classmethod
    def from_json(cls, value: dict[str, str] | None) -> Parent | None:
        return cls(uuid.UUID(value["document_id"]), value["relation"]) if value else None


APPROVER_ROLES = frozenset(MATRIX_ROLES)


def store_file(
    uow: UnitOfWork,
    document: Document,
    *,
    kind: str,
    version: int,
    data: bytes,
    retain: bool = False,
    created_at: datetime | None = None,
) -> DocumentFile:
    """Store bytes as a new object version and record where they are and their sha256
    (and when they were made: a rendered version's files carry that time inside)."""
    stored = uow.storage.put(
        f"documents/{document.id}/{kind}", data, content_type=CONTENT_TYPES[kind], retain=retain
    )
    uow.stored(stored)
    file = DocumentFile(
        document_id=document.id,
        kind=kind,
        version=version,
        content_type=CONTENT_TYPES[kind],
        storage_key=stored.key,
        storage_version_id=stored.version_id,
        sha256=stored.sha256,
        size=stored.size,
        created_at=created_at or utcnow(),
    )
    uow.session.add(file)
    return file


def render_files(
    package: TemplatePackage,
    assembled: AssembledDocument,
    marks: PageMarks | None = None,
    archival: Archival | None = None,
) -> dict[str, bytes]:
    """Every file a document is made of: PDF and DOCX, and for title lists XLSX and CSV;
    the PDF's pages carry the marks; a stored version's PDF and DOCX dated by `archival`
    and its PDF carrying the data.

    A template that fails here passed its check with its sample data, so the failure
    depends on this document's data: it is logged for legal, with the file and line, and
    answered to the caller as invalid input."""
    try:
        with RENDER_SECONDS.labels(format="pdf").time():
            files = {
                "pdf": render_long_grid_pdf(
                    package.path, package.html, assembled.context, marks, archival
                )
            }
        with RENDER_SECONDS.labels(format="docx").time():
            files["docx"] = render_docx(
                package.path,
                package.docx,
                assembled.context,
                archival.made_at if archival else None,
            )
    except InvalidInput as exc:
        log.error(
            "template %s failed to render document %s: %s",
            package.key,
            assembled.number,
            exc.detail,
            extra={"template": package.key, "document_number": assembled.number},
        )
        raise
    if package.kind == "title-list":
        table = title_table(assembled.context)
        files["xlsx"] = render_xlsx(table, archival.made_at if archival else None)
        files["csv"] = render_csv(table)
        files["kbart"] = render_kbart(
            assembled.context["title_items"], publisher=assembled.context["seller"]["name"]
        )
    return files


def _store_renders(
    uow: UnitOfWork,
    document: Document,
    package: TemplatePackage,
    assembled: AssembledDocument,
    version: int,
) -> PageMarks:
    """Render and store a version of the document, all its files dated by the time of this
    version, keeping what it was made from; the marks its pages carry (the fingerprint,
    and whether it is a draft)."""
    marks = version_marks(document, version, uow.settings)
    made_at = utcnow().replace(microsecond=0)
    version_inputs.record(uow.session, document, version, made_at)
    archival = version_archival(document, assembled, version=version, made_at=made_at)
    for kind, data in render_files(package, assembled, marks, archival).items():
        store_file(uow, document, kind=kind, version=version, data=data, created_at=made_at)
    return marks


def version_archival(
    document: Document, assembled: AssembledDocument, *, version: int, made_at: datetime
) -> Archival:
    """What pins one version's files: its creation time and the contract's data."""
    data = contract_json(document, assembled, version=version, made_at=made_at)
    return Archival(made_at=made_at, data=data)


def _package(uow: UnitOfWork, version: TemplateVersion) -> TemplatePackage:
    return package_for(version, uow.settings.template_cache_dir)


def package_of(uow: UnitOfWork, document: Document) -> TemplatePackage:
    """The template package a document was made from (its pinned template version)."""
    return _package(uow, document.template_version)


def _assemble(
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


@dataclass(frozen=True)
class Preview:
    """What a create would make of the data, without rendering or storing anything."""

    record: dict[str, Any]
    """The figures as a document keeps them: totals, lines, per-year amounts, tax."""
    approvals: list[dict[str, Any]]
    issued_on: date
    valid_until: date | None

    @property
    def years(self) -> list[dict[str, Any]]:
        """Each year of the term with its figures; a document without a term has one."""
        single = {k: self.record[k] for k in ("subtotal", "discount", "tax", "total")}
        return self.record.get("years") or [
            {"year": 1, "starts": self.issued_on.isoformat(), **single}
        ]


def preview(uow: UnitOfWork, *, template: str, data: Any) -> Preview:
    """Totals, per-year figures and required approvals, computed exactly as a create
    would compute them; nothing is rendered, stored or numbered."""
    with uow:
        package = _package(uow, published_version(uow.session, template))
        issued_on = utcnow().date()
        parsed = with_defaults(uow.settings, parse_data(kind_of(package), data), issued_on)
        resolved = resolve(uow, package, parsed, issued_on=issued_on)
        assembled = _assemble(uow, package, parsed, resolved, number="PREVIEW", issued_on=issued_on)
        return Preview(
            record=assembled.record,
            approvals=_approvals(uow, parsed, assembled, issued_on),
            issued_on=issued_on,
            valid_until=valid_until(parsed, issued_on) if isinstance(parsed, QuoteData) else None,
        )


def preview_pdf(uow: UnitOfWork, *, template: str, data: Any) -> bytes:
    """The PDF a create would make of the data, marked PREVIEW instead of a number; nothing
    is stored or numbered (for a look before generating)."""
    with uow:
        package = _package(uow, published_version(uow.session, template))
        issued_on = utcnow().date()
        parsed = with_defaults(uow.settings, parse_data(kind_of(package), data), issued_on)
        resolved = resolve(uow, package, parsed, issued_on=issued_on)
        assembled = _assemble(uow, package, parsed, resolved, number="PREVIEW", issued_on=issued_on)
        marks = unstored_marks("PREVIEW", parsed.model_dump(mode="json"), uow.settings)
    return render_pdf(package.path, package.html, assembled.context, marks)


def render_sample(
    uow: UnitOfWork, package: TemplatePackage, language: str
) -> tuple[AssembledDocument, dict[str, bytes]]:
    """The package's sample data assembled and rendered in one language, storing nothing."""
    issued_on = utcnow().date()
    data = with_defaults(
        uow.settings,
        parse_data(kind_of(package), {**package.sample_data(), "language": language}),
        issued_on,
    )
    resolved = resolve(uow, package, data, issued_on=issued_on)
    assembled = _assemble(uow, package, data, resolved, number="SAMPLE-1", issued_on=issued_on)
    marks = unstored_marks("SAMPLE-1", data.model_dump(mode="json"), uow.settings)
    return assembled, render_files(package, assembled, marks)


def check_template_package(uow: UnitOfWork, package: TemplatePackage) -> None:
    """Render the package's sample data to every format in every language it offers,
    with the library's approved clauses: a template that fails here is not published."""
    for language in package.languages:
        try:
            render_sample(uow, package, language)
        except InvalidInput as exc:
            details = "; ".join(
                [exc.detail, *(f"{error.pointer}: {error.detail}" for error in exc.errors)]
            )
            raise InvalidInput(
                f"template {package.key!r} cannot render its sample in {language!r}: {details}",
                exc.errors,
            ) from exc


def _approvals(
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


def create_document(
    uow: UnitOfWork,
    *,
    template: str,
    data: Any,
    external_ref: str | None,
    actor: User,
    parent: Parent | None = None,
    via: str = "page",
) -> uuid.UUID:
    """Create, render and store a document; where the rendering runs is configuration.

    The data is checked against the template's kind here, so that a bad request is
    answered at once instead of travelling to a worker."""
    if actor.role not in CREATOR_ROLES:
        raise Forbidden(f"a {actor.role} user cannot create documents")
    with uow:
        kind = kind_of(_package(uow, published_version(uow.session, template)))
    parsed = parse_data(kind, data)
    result = call_job(
        uow,
        "documents.create",
        {
            "template": template,
            "data": parsed.model_dump(mode="json"),
            "external_ref": external_ref,
            "actor_id": str(actor.id),
            "parent": parent.as_json() if parent else None,
            "via": via,
        },
    )
    return uuid.UUID(result["document_id"])


def render_new_document(
    uow: UnitOfWork,
    *,
    template: str,
    data: Any,
    external_ref: str | None,
    actor: User,
    parent: Parent | None = None,
    via: str = "page",
) -> uuid.UUID:
    """The work itself: resolve, assemble, render, store and record in one transaction.

    The number is drawn first in a short transaction of its own and confirmed in the main
    one (released if it fails), so parallel creations do not queue behind one another's
    rendering and the sequence keeps no gaps (see `counters.reserve`)."""
    if actor.role not in CREATOR_ROLES:
        raise Forbidden(f"a {actor.role} user cannot create documents")
    issued_on = utcnow().date()
    with uow:
        template_version = published_version(uow.session, template)
        package = _package(uow, template_version)
        parsed = with_defaults(uow.settings, parse_data(kind_of(package), data), issued_on)
        resolved = resolve(uow, package, parsed, issued_on=issued_on)
    counter = f"document:{package.kind}:{issued_on.year}"
    sequence = counters.reserve(uow.fork(), counter)
    try:
        with uow:
            number = f"{kind_of(package).number_prefix}-{issued_on.year}-{sequence:06d}"
            document_id = _record_new_document(
                uow,
                parsed,
                resolved,
                package=package,
                template_version_id=template_version.id,
                number=number,
                issued_on=issued_on,
                external_ref=external_ref,
                actor=actor,
                parent=parent,
                via=via,
            )
            counters.confirm(uow.session, counter, sequence)
            uow.commit()
            return document_id
    except BaseException:
        counters.release(uow.fork(), counter, sequence)
        raise


def _data_record(data: DocumentData, jurisdiction: str, issued_on: date) -> dict[str, Any]:
    """The data as stored: what was asked, with the defaults that were applied."""
    record = {
        **data.model_dump(mode="json"),
        "jurisdiction": jurisdiction,
        "issued_on": issued_on.isoformat(),
    }
    if isinstance(data, QuoteData):
        record["valid_until"] = valid_until(data, issued_on).isoformat()
    return record


def _customer_record(resolved: Resolved) -> dict[str, Any]:
    customer = resolved.customer
    return {
        "name": customer.name,
        "address": customer.address,
        "country": customer.country,
        "vat_id": customer.vat_id,
        "account_id": str(resolved.account_id) if resolved.account_id else None,
    }


def _record_new_document(
    uow: UnitOfWork,
    data: DocumentData,
    resolved: Resolved,
    *,
    package: TemplatePackage,
    template_version_id: uuid.UUID,
    number: str,
    issued_on: date,
    external_ref: str | None,
    actor: User,
    parent: Parent | None,
    via: str,
) -> uuid.UUID:
    session = uow.session
    doc = document_input(uow, package, data, resolved, number=number, issued_on=issued_on)
    assembled = kind_of(package).assemble(doc)
    approvals = _approvals(uow, data, assembled, issued_on)
    document = Document(
        id=uuid.uuid4(),
        number=number,
        kind=package.kind,
        status=PENDING_APPROVAL if approvals else DRAFT,
        template_version_id=template_version_id,
        account_id=resolved.account_id,
        customer=_customer_record(resolved),
        data=_data_record(data, doc.jurisdiction, issued_on),
        currency=data.currency,
        totals=assembled.record,
        approvals_required=approvals,
        non_standard=any(position != PREFERRED for position in data.clause_positions.values()),
        external_ref=external_ref,
        created_by_id=actor.id,
        current_version=1,
        parent_id=parent.document_id if parent else None,
        relation=parent.relation if parent else None,
        created_via=via,
    )
    session.add(document)
    session.flush()
    _pin_clauses(session, document, resolved)
    marks = _store_renders(uow, document, package, assembled, version=1)
    audit.record_event(
        session,
        tag="document.created",
        subject=document,
        actor=actor,
        data={
            "number": number,
            "fingerprint": marks.digest,
            "draft": marks.draft,
            "total": document.totals["total"],
            "parent": parent.as_json() if parent else None,
            "approvals": approvals,
            "template": {"version_id": str(template_version_id)},
            "clauses": [
                {"key": v.clause.key, "version": v.version, "sha256": v.sha256}
                for v in resolved.clauses
            ],
        },
    )
    billing.publish(uow, "document.created", document)
    mail.approval_requested(uow, document)
    if parent is not None and parent.relation == RENEWAL:
        billing.publish(
            uow,
            "renewal.created",
            document,
            billing.document_event_data(document, renews=str(parent.document_id)),
        )
    return document.id


def get_document(session: Session, document_id: uuid.UUID) -> Document:
    document = session.get(Document, document_id)
    if document is None:
        raise NotFound(f"no document {document_id}")
    return document


def locked(session: Session, document_id: uuid.UUID) -> Document:
    document = session.scalar(
        select(Document).where(Document.id == document_id).with_for_update(of=Document)
    )
    if document is None:
        raise NotFound(f"no document {document_id}")
    return document


def outstanding_approvals(document: Document) -> list[dict[str, str]]:
    """The required approvals no one has given yet, in the order they were required."""
    given = {a.rule for a in document.approvals if a.decision == "approve" and a.standing}
    return [rule for rule in document.approvals_required if rule["rule"] not in given]


REVISABLE = frozenset({DRAFT, PENDING_APPROVAL, APPROVED, REJECTED})


def revise(uow: UnitOfWork, document_id: uuid.UUID, *, data: Any, actor: User) -> int:
    """Change a document's data before it is sent: a new version (earlier ones stay)."""
    result = call_job(
        uow,
        "documents.revise",
        {"document_id": str(document_id), "data": data, "actor_id": str(actor.id)},
    )
    return int(result["version"])


def render_revision(uow: UnitOfWork, document_id: uuid.UUID, *, data: Any, actor: User) -> int:
    """Assemble the document again from new data, with today's catalogue and library, as
    a new version under the same number and date.

    A material change (`app/documents/material.py`) voids the approvals given so far
    (they stay on record, marked with the reason), bars its editor from approving, and the
    document waits for approval again; a rejected document comes back for approval once
    revised."""
    if actor.role not in CREATOR_ROLES:
        raise Forbidden(f"a {actor.role} user cannot change documents")
    with uow:
        document = locked(uow.session, document_id)
        if document.status not in REVISABLE:
            raise Conflict(
                f"document {document.number} is {document.status}; void it before changing it"
            )
        package = _package(uow, document.template_version)
        issued_on = date.fromisoformat(document.data["issued_on"])
        parsed = with_defaults(uow.settings, parse_data(kind_of(package), data), issued_on)
        resolved = resolve(uow, package, parsed, issued_on=issued_on)
        assembled = _assemble(
            uow, package, parsed, resolved, number=document.number, issued_on=issued_on
        )
        changes = priced_changes(document.totals, assembled.record)
        jurisdiction = parsed.jurisdiction or uow.settings.default_jurisdiction
        record = _data_record(parsed, jurisdiction, issued_on)
        material = material_changes(
            _stored_data(kind_of(package), document.data),
            _stored_data(kind_of(package), record),
            customer_before=document.customer,
            customer_after=_customer_record(resolved),
            clauses_before=[str(dc.clause_version_id) for dc in document.clauses],
            clauses_after=[str(version.id) for version in resolved.clauses],
        )
        if changes and not material:
            material.append("priced figures")
        standing = [a for a in document.approvals if a.standing]
        if standing and (material or document.status == REJECTED):
            reason = (
                "; ".join([f"material change: {', '.join(material)}", *changes])
                if material
                else "revised after the rejection"
            )
            what_changed = {
                "fields": material,
                "figures": priced_change_items(document.totals, assembled.record),
            }
            for approval in standing:
                approval.reset_at = utcnow()
                approval.reset_reason = reason
                approval.reset_changes = what_changed
            audit.record_event(
                uow.session,
                tag="document.approvals_reset",
                subject=document,
                actor=actor,
                data={
                    "reason": reason,
                    "material": material,
                    "approvals": [a.rule for a in standing],
                },
            )
        document.data = record
        document.totals = assembled.record
        document.approvals_required = _approvals(uow, parsed, assembled, issued_on)
        document.non_standard = any(p != PREFERRED for p in parsed.clause_positions.values())
        document.account_id = resolved.account_id
        document.customer = _customer_record(resolved)
        _pin_clauses(uow.session, document, resolved)
        document.status = _status_after_revision(document)
        document.current_version += 1
        uow.session.add(
            DocumentEdit(
                document_id=document.id,
                user_id=actor.id,
                version=document.current_version,
                material=material,
                created_at=utcnow(),
            )
        )
        marks = _store_renders(uow, document, package, assembled, document.current_version)
        audit.record_event(
            uow.session,
            tag="document.revised",
            subject=document,
            actor=actor,
            data={
                "version": document.current_version,
                "fingerprint": marks.digest,
                "draft": marks.draft,
                "priced_changes": changes,
                "material": material,
                "total": document.totals["total"],
                "status": document.status,
            },
        )
        uow.commit()
        return document.current_version


def _stored_data(kind: Kind, record: dict[str, Any]) -> DocumentData:
    return parse_data(kind, {k: v for k, v in record.items() if k != "issued_on"})


def _status_after_revision(document: Document) -> str:
    if outstanding_approvals(document):
        return PENDING_APPROVAL
    return APPROVED if document.approvals_required else DRAFT


def _pin_clauses(session: Session, document: Document, resolved: Resolved) -> None:
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
    package = _package(uow, document.template_version)
    data = parse_data(
        kind_of(package), {k: v for k, v in document.data.items() if k != "issued_on"}
    )
    return _assemble(
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


def regenerate(uow: UnitOfWork, document_id: uuid.UUID, *, actor: User) -> int:
    """Render the document again from its stored data as a new version; nothing is replaced."""
    result = call_job(
        uow, "documents.regenerate", {"document_id": str(document_id), "actor_id": str(actor.id)}
    )
    return int(result["version"])


def render_new_version(uow: UnitOfWork, document_id: uuid.UUID, *, actor: User) -> int:
    with uow:
        document = locked(uow.session, document_id)
        if document.status not in {DRAFT, PENDING_APPROVAL, APPROVED}:
            raise Conflict(
                f"document {document.number} is {document.status}; it cannot change",
                code="wrong_status",
            )
        _new_version_from_record(uow, document, actor=actor, tag="document.regenerated")
        uow.commit()
        return document.current_version


def render_approved_copy(uow: UnitOfWork, document: Document, *, actor: User) -> int:
    """The document just approved in full, rendered again from its record as a new version
    without the DRAFT mark, in the caller's transaction (see app/documents/marking.py)."""
    return _new_version_from_record(uow, document, actor=actor, tag="document.approved_copy")


def _new_version_from_record(uow: UnitOfWork, document: Document, *, actor: User, tag: str) -> int:
    """Render the document again from its own record as its next version, audited as `tag`
    with the version's fingerprint and whether it is a draft."""
    package = _package(uow, document.template_version)
    assembled = assembled_from_record(uow, document)
    document.current_version += 1
    marks = _store_renders(uow, document, package, assembled, document.current_version)
    audit.record_event(
        uow.session,
        tag=tag,
        subject=document,
        actor=actor,
        data={
            "version": document.current_version,
            "fingerprint": marks.digest,
            "draft": marks.draft,
        },
    )
    return document.current_version


def file_name(document_number: str, kind: str, version: int) -> str:
    extension = {"docx": "docx", "xlsx": "xlsx", "csv": "csv", "kbart": "txt"}.get(kind, "pdf")
    return f"{document_number}-{kind}-v{version}.{extension}"


@dataclass(frozen=True)
class FileContent:
    document_number: str
    kind: str
    version: int
    content_type: str
    sha256: str
    data: bytes
    name: str | None = None
    """The file's own name where its format has a convention (KBART's)."""

    @property
    def filename(self) -> str:
        return self.name or file_name(self.document_number, self.kind, self.version)


def download_url(
    uow: UnitOfWork, document_id: uuid.UUID, kind: str, version: int | None = None
) -> str | None:
    """A short-lived URL straight to the stored version, where the store offers one."""
    with uow:
        document = get_document(uow.session, document_id)
        file = document.file(kind, version)
        if file is None:
            return None
        return uow.storage.presigned_url(
            file.storage_key,
            file.storage_version_id,
            filename=file_name(document.number, kind, file.version),
        )


def read_file(
    uow: UnitOfWork, document_id: uuid.UUID, kind: str, version: int | None = None
) -> FileContent:
    """The bytes of a stored file, verified against the sha256 recorded when it was stored."""
    with uow:
        document = get_document(uow.session, document_id)
        file = document.file(kind, version)
        if file is None:
            which = f"version {version} of the " if version else ""
            raise NotFound(f"document {document.number} has no {which}{kind} file")
        data = uow.storage.get(file.storage_key, file.storage_version_id, sha256=file.sha256)
        name = None
        if kind == "kbart":  # provider_region_package_date.txt, the list's number its package
            name = kbart_filename(
                uow.settings.seller_name,
                document.customer.get("name") or "Global",
                f"{document.number}v{file.version}",
                file.created_at.date(),
            )
        return FileContent(
            document.number, kind, file.version, file.content_type, file.sha256, data, name
        )
