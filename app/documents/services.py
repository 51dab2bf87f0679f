"""The document lifecycle: create (assemble, render, store), approve, regenerate, read files."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import counters
from app.accounts.models import Account
from app.assembly.approval_rules import RequiredApproval, required_approvals
from app.assembly.clauses import ClauseText
from app.assembly.pricing import tidy_price
from app.assembly.quote import (
    AssembledDocument,
    Party,
    QuoteInput,
    QuoteLine,
    assemble_quote,
    included_clause_keys,
)
from app.assembly.schemas import NewCustomer, QuoteData
from app.audit import services as audit
from app.catalogue.models import Product
from app.db import utcnow
from app.documents.models import (
    APPROVED,
    DRAFT,
    PENDING_APPROVAL,
    REJECTED,
    Approval,
    Document,
    DocumentClause,
    DocumentFile,
)
from app.errors import Conflict, FieldError, Forbidden, InvalidInput, NotFound
from app.jobs.calls import call_job
from app.library.clause_files import PREFERRED
from app.library.clauses import choose_version
from app.library.models import ClauseVersion, TemplateVersion
from app.library.template_packages import TemplatePackage
from app.library.templates import package_for, published_version
from app.observability.metrics import RENDER_SECONDS
from app.rendering.docx import render_docx
from app.rendering.pdf import render_pdf
from app.uow import UnitOfWork
from app.users.models import User

DEFAULT_VALIDITY_DAYS = 30
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "signed": "application/pdf",
}
CREATOR_ROLES = frozenset({"support", "manager", "admin"})
APPROVER_ROLES = frozenset({"manager", "legal"})


@dataclass(frozen=True)
class ResolvedQuote:
    """The request after every reference (account, skus, clauses) has been looked up."""

    customer: Party
    account_id: uuid.UUID | None
    lines: list[QuoteLine]
    clauses: list[ClauseVersion]


def _customer(session: Session, data: QuoteData) -> tuple[Party, uuid.UUID | None]:
    if isinstance(data.account, NewCustomer):
        c = data.account
        return Party(name=c.name, address=c.address, country=c.country, vat_id=c.vat_id), None
    account = session.get(Account, data.account)
    if account is None:
        raise InvalidInput(
            f"no account {data.account}", [FieldError("/data/account", "unknown account id")]
        )
    party = Party(
        name=account.name, address=account.address, country=account.country, vat_id=account.vat_id
    )
    return party, account.id


def _lines(session: Session, data: QuoteData) -> list[QuoteLine]:
    skus = {line.sku for line in data.lines if line.sku}
    products = {
        p.sku: p for p in session.scalars(select(Product).where(Product.sku.in_(skus))).all()
    }
    lines, errors = [], []
    for index, line in enumerate(data.lines):
        pointer = f"/data/lines/{index}"
        if line.sku is None:
            assert line.description is not None and line.unit_price is not None
            lines.append(
                QuoteLine(
                    None, line.description, line.quantity, line.unit_price, line.discount_percent
                )
            )
            continue
        product = products.get(line.sku)
        if product is None:
            errors.append(FieldError(f"{pointer}/sku", f"unknown sku {line.sku!r}"))
            continue
        if line.unit_price is not None:
            errors.append(
                FieldError(f"{pointer}/unit_price", "a catalogue line takes the catalogue price")
            )
            continue
        list_price = product.price_in(data.currency)
        if list_price is None:
            errors.append(
                FieldError(f"{pointer}/sku", f"{line.sku} has no price in {data.currency}")
            )
            continue
        lines.append(
            QuoteLine(
                product.sku,
                line.description or product.name,
                line.quantity,
                tidy_price(list_price, data.currency),
                line.discount_percent,
            )
        )
    if errors:
        raise InvalidInput("some quote lines cannot be priced", errors)
    return lines


def _clause_versions(
    session: Session, data: QuoteData, package: TemplatePackage, quote: QuoteInput
) -> list[ClauseVersion]:
    """The approved text of each clause the outline includes for this quote, in the
    quote's language and jurisdiction and in the playbook position asked for."""
    if data.language not in package.languages:
        raise InvalidInput(
            f"template {package.key!r} is written in {', '.join(package.languages)}",
            [FieldError("/data/language", f"one of {', '.join(package.languages)}")],
        )
    keys = included_clause_keys(quote)
    strays = sorted(set(data.clause_positions) - set(keys))
    if strays:
        raise InvalidInput(
            "playbook positions name clauses this document does not contain",
            [FieldError(f"/data/clause_positions/{key}", "not in this document") for key in strays],
        )
    jurisdiction = _jurisdiction(data, quote)
    versions, errors = [], []
    for key in keys:
        position = data.clause_positions.get(key, PREFERRED)
        try:
            versions.append(
                choose_version(
                    session,
                    key,
                    language=data.language,
                    jurisdiction=jurisdiction,
                    position=position,
                )
            )
        except InvalidInput as exc:
            pointer = (
                f"/data/clause_positions/{key}" if position != PREFERRED else "/data/jurisdiction"
            )
            errors.append(FieldError(pointer, exc.detail))
    if errors:
        raise InvalidInput("the clause library has no text for some clauses", errors)
    return versions


def _jurisdiction(data: QuoteData, quote: QuoteInput) -> str:
    return data.jurisdiction or quote.jurisdiction


def resolve(uow: UnitOfWork, data: QuoteData, package: TemplatePackage) -> ResolvedQuote:
    customer, account_id = _customer(uow.session, data)
    lines = _lines(uow.session, data)
    unpinned = ResolvedQuote(customer, account_id, lines, [])
    probe = _quote_input(uow, data, unpinned, package, number="", issued_on=utcnow().date())
    return ResolvedQuote(
        customer=customer,
        account_id=account_id,
        lines=lines,
        clauses=_clause_versions(uow.session, data, package, probe),
    )


def _quote_input(
    uow: UnitOfWork,
    data: QuoteData,
    resolved: ResolvedQuote,
    package: TemplatePackage,
    *,
    number: str,
    issued_on: date,
) -> QuoteInput:
    settings = uow.settings
    return QuoteInput(
        number=number,
        issued_on=issued_on,
        valid_until=data.valid_until or issued_on + timedelta(days=DEFAULT_VALIDITY_DAYS),
        seller=Party(name=settings.seller_name, address=settings.seller_address),
        customer=resolved.customer,
        currency=data.currency,
        lines=resolved.lines,
        discount_percent=data.discount_percent,
        tax_rate_percent=data.tax_rate_percent,
        outline=package.outline,
        clauses={
            v.clause.key: ClauseText(v.clause.key, v.title, v.version, v.sha256, v.body)
            for v in resolved.clauses
        },
        labels=package.labels_for(data.language),
        language=data.language,
        jurisdiction=data.jurisdiction or settings.default_jurisdiction,
        po_number=data.po_number,
        notes=data.notes,
    )


def _totals_record(assembled: AssembledDocument, quote: QuoteInput) -> dict[str, object]:
    totals = assembled.totals
    return {
        **totals.as_strings(),
        "net": str(totals.net),
        "discount_percent": str(quote.discount_percent),
        "tax_rate_percent": str(quote.tax_rate_percent),
        "lines": [
            {
                "sku": line.sku,
                "description": line.description,
                "quantity": line.quantity,
                "unit_price": str(line.unit_price),
                "discount_percent": str(line.discount_percent),
                "amount": str(priced.amount),
            }
            for line, priced in zip(quote.lines, totals.lines, strict=True)
        ],
    }


def store_file(
    uow: UnitOfWork,
    document: Document,
    *,
    kind: str,
    version: int,
    data: bytes,
    retain: bool = False,
) -> DocumentFile:
    """Store bytes as a new object version and record where they are and their sha256."""
    stored = uow.storage.put(
        f"documents/{document.id}/{kind}", data, content_type=CONTENT_TYPES[kind], retain=retain
    )
    file = DocumentFile(
        document_id=document.id,
        kind=kind,
        version=version,
        content_type=CONTENT_TYPES[kind],
        storage_key=stored.key,
        storage_version_id=stored.version_id,
        sha256=stored.sha256,
        size=stored.size,
    )
    uow.session.add(file)
    return file


def _store_renders(
    uow: UnitOfWork,
    document: Document,
    package: TemplatePackage,
    assembled: AssembledDocument,
    version: int,
) -> None:
    with RENDER_SECONDS.labels(format="pdf").time():
        pdf = render_pdf(package.path, package.html, assembled.context)
    with RENDER_SECONDS.labels(format="docx").time():
        docx = render_docx(package.path, package.docx, assembled.context)
    store_file(uow, document, kind="pdf", version=version, data=pdf)
    store_file(uow, document, kind="docx", version=version, data=docx)


def _package(uow: UnitOfWork, version: TemplateVersion) -> TemplatePackage:
    return package_for(version, uow.settings.template_cache_dir)


def preview_totals(
    uow: UnitOfWork, *, template: str, data: QuoteData
) -> tuple[dict[str, object], list[dict[str, str]]]:
    """Totals and required approvals, computed exactly as a create would, storing nothing."""
    with uow:
        package = _package(uow, published_version(uow.session, template))
        resolved = resolve(uow, data, package)
        quote = _quote_input(
            uow, data, resolved, package, number="PREVIEW", issued_on=utcnow().date()
        )
        assembled = assemble_quote(quote)
        return _totals_record(assembled, quote), _approvals(uow, data)


def check_template_package(uow: UnitOfWork, package: TemplatePackage) -> None:
    """Render the package's sample data to PDF and DOCX in every language it offers,
    with the library's approved clauses: a template that fails here is not published."""
    sample = package.sample_data()
    for language in package.languages:
        try:
            data = QuoteData.model_validate({**sample, "language": language})
        except ValidationError as exc:
            raise InvalidInput(f"{package.sample}: the sample data is not valid: {exc}") from exc
        try:
            resolved = resolve(uow, data, package)
            quote = _quote_input(
                uow, data, resolved, package, number="SAMPLE-1", issued_on=utcnow().date()
            )
            assembled = assemble_quote(quote)
            render_pdf(package.path, package.html, assembled.context)
            render_docx(package.path, package.docx, assembled.context)
        except InvalidInput as exc:
            details = "; ".join([exc.detail, *(error.detail for error in exc.errors)])
            raise InvalidInput(
                f"template {package.key!r} cannot render its sample in {language!r}: {details}",
                exc.errors,
            ) from exc


def _approvals(uow: UnitOfWork, data: QuoteData) -> list[dict[str, str]]:
    rules = required_approvals(
        header_discount=data.discount_percent,
        line_discounts=[line.discount_percent for line in data.lines],
        threshold=Decimal(uow.settings.approval_discount_percent),
    )
    fallbacks = sorted(
        f"{key}: {position}"
        for key, position in data.clause_positions.items()
        if position != PREFERRED
    )
    if fallbacks:
        rules.append(
            RequiredApproval(
                rule="non_standard_clause",
                role="legal",
                reason=f"playbook fallback chosen ({'; '.join(fallbacks)})",
            )
        )
    return [rule.as_dict() for rule in rules]


def create_document(
    uow: UnitOfWork, *, template: str, data: QuoteData, external_ref: str | None, actor: User
) -> uuid.UUID:
    """Create, render and store a document; where the rendering runs is configuration."""
    if actor.role not in CREATOR_ROLES:
        raise Forbidden(f"a {actor.role} user cannot create documents")
    result = call_job(
        uow,
        "documents.create",
        {
            "template": template,
            "data": data.model_dump(mode="json"),
            "external_ref": external_ref,
            "actor_id": str(actor.id),
        },
    )
    return uuid.UUID(result["document_id"])


def render_new_document(
    uow: UnitOfWork, *, template: str, data: QuoteData, external_ref: str | None, actor: User
) -> uuid.UUID:
    """The work itself: resolve, assemble, render, store and record in one transaction.

    The number is drawn first in a short transaction of its own and confirmed in the main
    one (released if it fails), so parallel creations do not queue behind one another's
    rendering and the sequence keeps no gaps (see `counters.reserve`)."""
    if actor.role not in CREATOR_ROLES:
        raise Forbidden(f"a {actor.role} user cannot create documents")
    with uow:
        template_version = published_version(uow.session, template)
        package = _package(uow, template_version)
        resolved = resolve(uow, data, package)
    issued_on = utcnow().date()
    counter = f"document:{package.kind}:{issued_on.year}"
    sequence = counters.reserve(uow.fork(), counter)
    try:
        with uow:
            number = f"Q-{issued_on.year}-{sequence:06d}"
            document_id = _record_new_document(
                uow,
                data,
                resolved,
                package=package,
                template_version_id=template_version.id,
                number=number,
                issued_on=issued_on,
                external_ref=external_ref,
                actor=actor,
            )
            counters.confirm(uow.session, counter, sequence)
            uow.commit()
            return document_id
    except BaseException:
        counters.release(uow.fork(), counter, sequence)
        raise


def _record_new_document(
    uow: UnitOfWork,
    data: QuoteData,
    resolved: ResolvedQuote,
    *,
    package: TemplatePackage,
    template_version_id: uuid.UUID,
    number: str,
    issued_on: date,
    external_ref: str | None,
    actor: User,
) -> uuid.UUID:
    session = uow.session
    quote = _quote_input(uow, data, resolved, package, number=number, issued_on=issued_on)
    assembled = assemble_quote(quote)
    approvals = _approvals(uow, data)
    document = Document(
        id=uuid.uuid4(),
        number=number,
        kind=package.kind,
        status=PENDING_APPROVAL if approvals else DRAFT,
        template_version_id=template_version_id,
        account_id=resolved.account_id,
        customer={
            "name": quote.customer.name,
            "address": quote.customer.address,
            "country": quote.customer.country,
            "vat_id": quote.customer.vat_id,
            "account_id": str(resolved.account_id) if resolved.account_id else None,
        },
        data={
            **data.model_dump(mode="json"),
            "jurisdiction": quote.jurisdiction,
            "valid_until": quote.valid_until.isoformat(),
            "issued_on": issued_on.isoformat(),
        },
        currency=data.currency,
        totals=_totals_record(assembled, quote),
        approvals_required=approvals,
        non_standard=any(rule["rule"] == "non_standard_clause" for rule in approvals),
        external_ref=external_ref,
        created_by_id=actor.id,
        current_version=1,
    )
    session.add(document)
    session.flush()
    for position, version in enumerate(resolved.clauses):
        session.add(
            DocumentClause(document_id=document.id, clause_version_id=version.id, position=position)
        )
    _store_renders(uow, document, package, assembled, version=1)
    audit.record_event(
        session,
        tag="document.created",
        subject=document,
        actor=actor,
        data={
            "number": number,
            "total": document.totals["total"],
            "approvals": approvals,
            "template": {"version_id": str(template_version_id)},
            "clauses": [
                {"key": v.clause.key, "version": v.version, "sha256": v.sha256}
                for v in resolved.clauses
            ],
        },
    )
    return document.id


def get_document(session: Session, document_id: uuid.UUID) -> Document:
    document = session.get(Document, document_id)
    if document is None:
        raise NotFound(f"no document {document_id}")
    return document


def _locked(session: Session, document_id: uuid.UUID) -> Document:
    document = session.scalar(
        select(Document).where(Document.id == document_id).with_for_update(of=Document)
    )
    if document is None:
        raise NotFound(f"no document {document_id}")
    return document


def outstanding_approvals(document: Document) -> list[dict[str, str]]:
    """The required approvals no one has given yet, in the order they were required."""
    given = {approval.rule for approval in document.approvals if approval.decision == "approve"}
    return [rule for rule in document.approvals_required if rule["rule"] not in given]


def decide_approval(
    uow: UnitOfWork, document_id: uuid.UUID, *, actor: User, decision: str, comment: str
) -> uuid.UUID:
    """Approve or reject the outstanding approval that waits for the actor's role; the
    document is approved once every required approval is given, rejected at once."""
    with uow:
        document = _locked(uow.session, document_id)
        if actor.role not in APPROVER_ROLES:
            raise Forbidden(f"a {actor.role} user cannot approve or reject documents")
        if actor.id == document.created_by_id:
            raise Forbidden("the creator of a document cannot approve or reject it")
        if document.status != PENDING_APPROVAL:
            raise Conflict(
                f"document {document.number} is {document.status}, not awaiting approval"
            )
        outstanding = outstanding_approvals(document)
        mine = [rule for rule in outstanding if rule["role"] == actor.role]
        if not mine:
            waiting = ", ".join(sorted({rule["role"] for rule in outstanding}))
            raise Forbidden(
                f"no approval of {document.number} waits for a {actor.role}; "
                f"it waits for: {waiting}"
            )
        approval = Approval(
            document_id=document.id,
            decided_by_id=actor.id,
            rule=mine[0]["rule"],
            decision=decision,
            comment=comment,
            created_at=utcnow(),
        )
        uow.session.add(approval)
        if decision != "approve":
            document.status = REJECTED
        elif len(outstanding) == 1:
            document.status = APPROVED
        audit.record_event(
            uow.session,
            tag=f"document.{'approved' if decision == 'approve' else 'rejected'}",
            subject=document,
            actor=actor,
            data={"comment": comment, "rule": mine[0], "status": document.status},
        )
        uow.commit()
        return approval.id


def _resolved_from_record(document: Document) -> ResolvedQuote:
    """The quote exactly as recorded: its customer, prices and pinned clause versions,
    whatever the catalogue or the library hold today."""
    customer = document.customer
    return ResolvedQuote(
        customer=Party(
            name=customer["name"],
            address=customer["address"],
            country=customer["country"],
            vat_id=customer["vat_id"],
        ),
        account_id=document.account_id,
        lines=[
            QuoteLine(
                line["sku"],
                line["description"],
                line["quantity"],
                Decimal(line["unit_price"]),
                Decimal(line["discount_percent"]),
            )
            for line in document.totals["lines"]
        ],
        clauses=[dc.clause_version for dc in document.clauses],
    )


def _assembled_from_record(uow: UnitOfWork, document: Document) -> AssembledDocument:
    """The document assembled again from its record, the template version and the clause
    versions it pinned: the same text, whatever the library holds today."""
    data = QuoteData.model_validate({k: v for k, v in document.data.items() if k != "issued_on"})
    quote = _quote_input(
        uow,
        data,
        _resolved_from_record(document),
        _package(uow, document.template_version),
        number=document.number,
        issued_on=date.fromisoformat(document.data["issued_on"]),
    )
    return assemble_quote(quote)


def assemble_stored(uow: UnitOfWork, document_id: uuid.UUID) -> AssembledDocument:
    """Assemble a stored document again from its own record (for re-renders and checks)."""
    with uow:
        return _assembled_from_record(uow, get_document(uow.session, document_id))


def regenerate(uow: UnitOfWork, document_id: uuid.UUID, *, actor: User) -> int:
    """Render the document again from its stored data as a new version; nothing is replaced."""
    result = call_job(
        uow, "documents.regenerate", {"document_id": str(document_id), "actor_id": str(actor.id)}
    )
    return int(result["version"])


def render_new_version(uow: UnitOfWork, document_id: uuid.UUID, *, actor: User) -> int:
    with uow:
        document = _locked(uow.session, document_id)
        if document.status not in {DRAFT, PENDING_APPROVAL, APPROVED}:
            raise Conflict(f"document {document.number} is {document.status}; it cannot change")
        package = _package(uow, document.template_version)
        assembled = _assembled_from_record(uow, document)
        document.current_version += 1
        _store_renders(uow, document, package, assembled, document.current_version)
        audit.record_event(
            uow.session,
            tag="document.regenerated",
            subject=document,
            actor=actor,
            data={"version": document.current_version},
        )
        uow.commit()
        return document.current_version


def file_name(document_number: str, kind: str, version: int) -> str:
    extension = "docx" if kind == "docx" else "pdf"
    return f"{document_number}-{kind}-v{version}.{extension}"


@dataclass(frozen=True)
class FileContent:
    document_number: str
    kind: str
    version: int
    content_type: str
    sha256: str
    data: bytes

    @property
    def filename(self) -> str:
        return file_name(self.document_number, self.kind, self.version)


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
        return FileContent(
            document.number, kind, file.version, file.content_type, file.sha256, data
        )
