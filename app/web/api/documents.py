"""The documents API for CRM buttons and scripts."""

from __future__ import annotations

import uuid
from typing import Any

from apiflask import APIBlueprint
from flask import redirect, request, url_for
from flask.typing import ResponseReturnValue

from app.accounts.models import Account
from app.approvals import decisions
from app.billing import cancellations
from app.documents import (
    amendments,
    creating,
    listing,
    previews,
    records,
    regenerating,
    revising,
    validity,
)
from app.documents import files as document_files
from app.documents.amendments import AmendRequest
from app.documents.contract_data import TOTAL_KEYS
from app.documents.files import CONTENT_TYPES
from app.documents.listing import DocumentFilter
from app.documents.models import Document
from app.documents.overview import DocumentOverview, document_overview
from app.errors import InvalidInput
from app.signing import services as signing
from app.signing.services import Schedule, SignerRequest, SigningLink
from app.titles.schedule import licence_as_amended
from app.users import scopes
from app.web.api.auth import auth, current_user
from app.web.api.document_periods import invoice_periods, subscription_period
from app.web.api.render_wait import accepted_or, rendered_answer
from app.web.context import unit_of_work
from app.web.files import as_amended_response, file_response
from app.web.hygiene import small_body
from app.web.schemas.as_amended import AsAmendedOut, AsAmendedQuery
from app.web.schemas.documents import (
    ApprovalIn,
    CancelIn,
    DocumentIn,
    DocumentListQuery,
    DocumentOut,
    DocumentPageOut,
    ExpiringOut,
    ExpiringQuery,
    PreviewOut,
    ReviseIn,
    SendIn,
    SignerOut,
    SigningViewIn,
    SigningViewOut,
    VersionOut,
    VoidIn,
)

bp = APIBlueprint("api_documents", __name__, url_prefix="/api/v1", tag="Documents")

BINARY = {"schema": {"type": "string", "format": "binary"}}
FILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The file's bytes, checked against their recorded sha256 (local storage)",
        "content": {
            media_type: BINARY
            for media_type in sorted({t.split(";")[0] for t in CONTENT_TYPES.values()})
        },
    },
    303: {"description": "A short-lived URL to the stored version (S3 storage)"},
    404: {"description": "Not found"},
    422: {"description": "Not a kind of file"},
}
AS_AMENDED_PDF_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The consolidated licence as a PDF, rendered now",
        "content": {"application/pdf": BINARY},
    },
    404: {"description": "Not found"},
    409: {"description": "Not a signed licence"},
}
AS_AMENDED_DOCX_RESPONSES: dict[int | str, dict[str, Any]] = {
    **AS_AMENDED_PDF_RESPONSES,
    200: {
        "description": "The consolidated licence as a DOCX, rendered now",
        "content": {CONTENT_TYPES["docx"]: BINARY},
    },
}
FILE_KINDS = ("pdf", "docx", "xlsx", "csv", "kbart", "signed", "certificate", "confirmation")


def document_lines(doc: Document) -> list[dict[str, Any]]:
    """The record's lines, with the invoice period an amendment's line changes."""
    periods = doc.data.get("lines", []) if doc.kind == "amendment" else []
    return [
        {
            **{k: line.get(k) for k in ("sku", "description", "quantity", "unit_price", "amount")},
            "period_start": periods[n].get("period_start") if n < len(periods) else None,
            "period_end": periods[n].get("period_end") if n < len(periods) else None,
        }
        for n, line in enumerate(doc.totals.get("lines", []))
    ]


def document_out(
    overview: DocumentOverview, links: list[SigningLink] | None = None
) -> dict[str, Any]:
    doc = overview.document
    by_signer = {link.signer_id: link for link in links or []}
    return {
        "id": doc.id,
        "number": doc.number,
        "template": doc.template_version.template.key,
        "template_version": doc.template_version.version,
        "non_standard": doc.non_standard,
        "clauses": [
            {
                "key": dc.clause_version.clause.key,
                "version": dc.clause_version.version,
                "language": dc.clause_version.language,
                "jurisdiction": dc.clause_version.jurisdiction,
                "position": dc.clause_version.position,
                "sha256": dc.clause_version.sha256,
            }
            for dc in doc.clauses
        ],
        "status": doc.status,
        "render_status": doc.render_status,
        "render_error": doc.render_error,
        "status_reason": overview.status_reason,
        "version": doc.current_version,
        "currency": doc.currency,
        "customer_name": doc.customer["name"],
        "account": account_ref(overview.account),
        "external_ref": doc.external_ref,
        "totals": {k: doc.totals[k] for k in ("subtotal", "discount", "net", "tax", "total")},
        "lines": document_lines(doc),
        "subscription_period": subscription_period(doc),
        "invoice_periods": invoice_periods(doc),
        "approvals_required": doc.approvals_required,
        "editors": [
            {
                "email": e.user.email,
                "name": e.user.name,
                "version": e.version,
                "material": e.material,
                "edited_at": e.created_at,
            }
            for e in doc.edits
            if e.material
        ],
        "approvals": [
            {
                "rule": a.rule,
                "role": a.role,
                "figures": a.figures,
                "decision": a.decision,
                "decided_by": a.decided_by.email,
                "comment": a.comment,
                "decided_at": a.created_at,
                "reset_at": a.reset_at,
                "reset_reason": a.reset_reason,
            }
            for a in doc.approvals
        ],
        "files": {
            kind: url_for("api_documents.download", document_id=doc.id, kind=kind, _external=True)
            for kind in FILE_KINDS
            if doc.file(kind) is not None
        },
        "signers": [
            SignerOut(
                id=s.id,
                name=s.name,
                title=s.title,
                email=s.email,
                routing_order=s.routing_order,
                role=s.role,
                embedded=s.embedded,
                status=s.status,
                signed_at=s.signed_at,
                signing_url=by_signer[s.id].url if s.id in by_signer else None,
                expires_at=by_signer[s.id].expires_at if s.id in by_signer else None,
            )
            for s in overview.signers
        ],
        "cancellations": [
            {
                "lines": c.lines,
                "whole": c.whole,
                "effective_date": c.effective_on,
                "net": c.net,
                "tax": c.tax,
                "total": c.total,
                "reason": c.reason,
                "cancelled_at": c.created_at,
            }
            for c in overview.cancellations
        ],
        "created_at": doc.created_at,
    }


def account_ref(account: Account | None) -> dict[str, Any] | None:
    if account is None:
        return None
    return {
        "id": account.id,
        "name": account.name,
        "crm_id": account.crm_id,
        "erp_id": account.erp_id,
    }


def document_overview_of(document_id: uuid.UUID) -> DocumentOverview:
    uow = unit_of_work()
    with uow:
        return document_overview(uow.session, document_id)


@bp.post("/documents")
@bp.auth_required(auth, roles=[scopes.WRITE])
@bp.input(DocumentIn)
@bp.output(DocumentOut, status_code=201)
@bp.doc(
    summary="Create a document from a template and data",
    description="Answers 202 with the document, `render_status: rendering`, while its files "
    "render; with `Prefer: wait=N` it waits up to N seconds and answers 201 with the "
    "finished document. A `document.ready` webhook says when the files are made.",
    responses=accepted_or(401, 403, 413, 422),
)
def create(json_data: DocumentIn) -> Any:
    document_id = creating.create_document(
        unit_of_work(),
        template=json_data.template,
        data=json_data.data,
        external_ref=json_data.external_ref,
        actor=current_user(),
        via="api",
    )
    return rendered_answer(
        document_id,
        lambda: document_out(document_overview_of(document_id)),
        DocumentOut,
        done_status=201,
    )


@bp.get("/documents")
@bp.auth_required(auth, roles=[scopes.READ])
@bp.input(DocumentListQuery, location="query")
@bp.output(DocumentPageOut)
@bp.doc(
    summary="Documents, newest first, filtered by account, status, kind, external_ref, date",
    description="Pages of `limit`; pass `next_cursor` as `cursor` for the next. Pages hold "
    "steady while documents are added.",
    responses=[422],
)
def list_documents(query_data: DocumentListQuery) -> dict[str, Any]:
    criteria = DocumentFilter(
        account_id=query_data.account,
        account_crm_id=query_data.account_crm_id,
        account_erp_id=query_data.account_erp_id,
        status=query_data.status,
        kind=query_data.kind,
        external_ref=query_data.external_ref,
        created_from=query_data.created_from,
        created_to=query_data.created_to,
        search=query_data.search,
    )
    uow = unit_of_work()
    with uow:
        page = listing.list_documents(
            uow.session, criteria, limit=query_data.limit, cursor=query_data.cursor
        )
        return {
            "documents": [
                {
                    "id": d.id,
                    "number": d.number,
                    "kind": d.kind,
                    "status": d.status,
                    "render_status": d.render_status,
                    "customer_name": d.customer["name"],
                    "account": account_ref(page.accounts.get(d.account_id))
                    if d.account_id
                    else None,
                    "external_ref": d.external_ref,
                    "currency": d.currency,
                    "total": d.totals["total"],
                    "version": d.current_version,
                    "created_at": d.created_at,
                    "updated_at": d.updated_at,
                    "url": url_for("api_documents.get", document_id=d.id, _external=True),
                }
                for d in page.documents
            ],
            "next_cursor": page.next_cursor,
        }


@bp.post("/documents:preview")
@bp.auth_required(auth, roles=[scopes.READ])
@bp.input(DocumentIn)
@bp.output(PreviewOut)
@bp.doc(
    summary="What a create would give: totals, per-year figures, required approvals",
    description="The same body as a create. Nothing is rendered, stored or numbered: for "
    "live totals in a form and for CRM buttons.",
    responses=[401, 422],
)
def preview(json_data: DocumentIn) -> dict[str, Any]:
    answer = previews.preview(unit_of_work(), template=json_data.template, data=json_data.data)
    record = answer.record
    return {
        "template": json_data.template,
        "currency": record["currency"],
        "totals": {key: record[key] for key in TOTAL_KEYS},
        "lines": record["lines"],
        "years": answer.years,
        "approvals_required": answer.approvals,
        "valid_until": answer.valid_until,
    }


@bp.get("/documents/expiring")
@bp.auth_required(auth, roles=[scopes.READ])
@bp.input(ExpiringQuery, location="query")
@bp.output(ExpiringOut)
@bp.doc(summary="The caller's quotes that expire within `days` days (default 14)")
def expiring(query_data: ExpiringQuery) -> dict[str, Any]:
    uow = unit_of_work()
    with uow:
        found = validity.expiring(uow.session, current_user(), days=query_data.days)
        return {
            "quotes": [
                {
                    "id": d.id,
                    "number": d.number,
                    "customer_name": d.customer["name"],
                    "status": d.status,
                    "valid_until": validity.expires_on(d),
                    "total": d.totals["total"],
                    "currency": d.currency,
                }
                for d in found
            ]
        }


@bp.get("/documents/<uuid:document_id>")
@bp.auth_required(auth, roles=[scopes.READ])
@bp.output(DocumentOut)
@bp.doc(summary="A document: status, totals, approvals, files and signers", responses=[404])
def get(document_id: uuid.UUID) -> dict[str, Any]:
    return document_out(document_overview_of(document_id))


@bp.get("/documents/<uuid:document_id>/files/<kind>")
@bp.auth_required(auth, roles=[scopes.READ])
@bp.doc(
    summary="Download a stored file (pdf, docx, xlsx, csv, signed); ?version=N for an earlier one",
    responses=FILE_RESPONSES,
)
def download(document_id: uuid.UUID, kind: str) -> ResponseReturnValue:
    if kind not in FILE_KINDS:
        raise InvalidInput(f"kind is one of {', '.join(FILE_KINDS)}")
    version = request.args.get("version", type=int)
    url = document_files.download_url(unit_of_work(), document_id, kind, version)
    if url is not None:
        return redirect(url, code=303)
    return file_response(document_files.read_file(unit_of_work(), document_id, kind, version))


@bp.post("/documents/<uuid:document_id>/approvals")
@bp.auth_required(auth, roles=[scopes.WRITE])
@bp.input(ApprovalIn)
@bp.output(DocumentOut, status_code=201)
@bp.doc(summary="Approve or reject a document waiting for approval", responses=[403, 404, 409])
@small_body
def decide(document_id: uuid.UUID, json_data: ApprovalIn) -> tuple[dict[str, Any], int]:
    decisions.decide_approval(
        unit_of_work(),
        document_id,
        actor=current_user(),
        decision=json_data.decision,
        comment=json_data.comment,
    )
    return document_out(document_overview_of(document_id)), 201


@bp.post("/documents/<uuid:document_id>/send")
@bp.auth_required(auth, roles=[scopes.SEND])
@bp.input(SendIn)
@bp.output(DocumentOut)
@bp.doc(
    summary="Send for signature; the answer holds each signer's one-time link",
    responses=[403, 404, 409],
)
@small_body
def send(document_id: uuid.UUID, json_data: SendIn) -> dict[str, Any]:
    links = signing.send_for_signature(
        unit_of_work(),
        document_id,
        signers=[
            SignerRequest(
                s.name, str(s.email), s.routing_order, s.embedded, s.signing_group, s.title
            )
            for s in json_data.signers
        ],
        carbon_copies=[
            SignerRequest(c.name, str(c.email), c.routing_order) for c in json_data.carbon_copies
        ],
        schedule=Schedule(
            json_data.reminder_after_days,
            json_data.reminder_every_days,
            json_data.expire_after_days,
        ),
        actor=current_user(),
        via="api",
    )
    return document_out(document_overview_of(document_id), links)


@bp.post("/documents/<uuid:document_id>/void")
@bp.auth_required(auth, roles=[scopes.SEND])
@bp.input(VoidIn)
@bp.output(DocumentOut)
@bp.doc(
    summary="Withdraw the document from signature, with a reason; it goes back to draft or "
    "approved",
    responses=[403, 404, 409, 503],
)
@small_body
def void(document_id: uuid.UUID, json_data: VoidIn) -> dict[str, Any]:
    signing.void(unit_of_work(), document_id, reason=json_data.reason, actor=current_user())
    return document_out(document_overview_of(document_id))


@bp.post("/documents/<uuid:document_id>/remind")
@bp.auth_required(auth, roles=[scopes.SEND])
@bp.output(DocumentOut)
@bp.doc(
    summary="Remind the signers whose turn it is: DocuSign writes to them again; the built-in "
    "signer answers fresh one-time links (the old ones stop working)",
    responses=[409, 503],
)
def remind(document_id: uuid.UUID) -> dict[str, Any]:
    links = signing.remind(unit_of_work(), document_id, actor=current_user())
    return document_out(document_overview_of(document_id), links)


@bp.post("/documents/<uuid:document_id>/signers/<uuid:signer_id>/view")
@bp.auth_required(auth, roles=[scopes.SEND])
@bp.input(SigningViewIn)
@bp.output(SigningViewOut)
@bp.doc(
    summary="Embedded signing: a DocuSign signing view for a signer who is with you",
    responses=[404, 409, 503],
)
@small_body
def signing_view(
    document_id: uuid.UUID, signer_id: uuid.UUID, json_data: SigningViewIn
) -> dict[str, Any]:
    url = signing.signing_view(
        unit_of_work(),
        document_id,
        signer_id,
        return_url=json_data.return_url,
        actor=current_user(),
    )
    return {"url": url}


@bp.put("/documents/<uuid:document_id>/data")
@bp.auth_required(auth, roles=[scopes.WRITE])
@bp.input(ReviseIn)
@bp.output(DocumentOut)
@bp.doc(
    summary="Change a document's data before it is sent: a new version",
    description="A change to anything priced voids the approvals given (shown with the "
    "reason) and the document waits for approval again. Answers 202 while the new version "
    "renders; `Prefer: wait=N` waits for it (200).",
    responses=accepted_or(403, 404, 409, 422),
)
def revise(document_id: uuid.UUID, json_data: ReviseIn) -> Any:
    revising.revise(unit_of_work(), document_id, data=json_data.data, actor=current_user())
    return rendered_answer(
        document_id,
        lambda: document_out(document_overview_of(document_id)),
        DocumentOut,
        done_status=200,
    )


@bp.post("/documents/<uuid:document_id>/amendments")
@bp.auth_required(auth, roles=[scopes.WRITE])
@bp.input(AmendRequest)
@bp.output(DocumentOut, status_code=201)
@bp.doc(
    summary="Amend a signed licence: add or remove titles, charge fees, extend the term",
    description="The amendment states only the changes and names the agreement and the "
    "amendments signed before it. Titles added or removed mid-year are charged or credited "
    "for the rest of the licence year by the configured day count. Answers 202 while the "
    "amendment renders; `Prefer: wait=N` waits for it (201).",
    responses=accepted_or(403, 404, 409, 422),
)
def amend(document_id: uuid.UUID, json_data: AmendRequest) -> Any:
    amendment_id = amendments.amend(
        unit_of_work(), document_id, json_data.model_dump(mode="json"), actor=current_user()
    )
    return rendered_answer(
        amendment_id,
        lambda: document_out(document_overview_of(amendment_id)),
        DocumentOut,
        done_status=201,
    )


@bp.get("/documents/<uuid:document_id>/as-amended")
@bp.auth_required(auth, roles=[scopes.READ])
@bp.input(AsAmendedQuery, location="query")
@bp.output(AsAmendedOut)
@bp.doc(
    summary="A signed licence after all its signed amendments, invoice period by period",
    description="Each invoice period with the lines in force, its figures, what the licence "
    "as signed charged for it and what each signed amendment changed (net = original_net + "
    "changes). Its titles are the title schedule's for the year asked (by default the year "
    "the titles last changed), as GET …/title-schedule?year= gives them.",
    responses=[404, 409],
)
def as_amended(document_id: uuid.UUID, query_data: AsAmendedQuery) -> dict[str, Any]:
    uow = unit_of_work()
    with uow:
        return licence_as_amended(uow.session, document_id, query_data.year, storage=uow.storage)


@bp.get("/documents/<uuid:document_id>/as-amended.pdf")
@bp.auth_required(auth, roles=[scopes.READ])
@bp.input(AsAmendedQuery, location="query")
@bp.doc(
    summary="The licence as amended, as a PDF in the licence's language",
    responses=AS_AMENDED_PDF_RESPONSES,
)
def as_amended_pdf(document_id: uuid.UUID, query_data: AsAmendedQuery) -> ResponseReturnValue:
    return as_amended_response(unit_of_work(), document_id, query_data.year)


@bp.get("/documents/<uuid:document_id>/as-amended.docx")
@bp.auth_required(auth, roles=[scopes.READ])
@bp.input(AsAmendedQuery, location="query")
@bp.doc(
    summary="The licence as amended, as a DOCX in the licence's language",
    responses=AS_AMENDED_DOCX_RESPONSES,
)
def as_amended_docx(document_id: uuid.UUID, query_data: AsAmendedQuery) -> ResponseReturnValue:
    return as_amended_response(unit_of_work(), document_id, query_data.year, kind="docx")


@bp.post("/documents/<uuid:document_id>/cancel")
@bp.auth_required(auth, roles=[scopes.WRITE])
@bp.input(CancelIn)
@bp.output(DocumentOut)
@bp.doc(
    summary="Cancel a signed contract (finance); credit notes go out",
    description="A licence is cancelled as a whole from `effective_date`: each invoice "
    "already sent is credited what it charged for the days from that date on (prorated), "
    "one invoice.credit event per credited invoice; later periods are never invoiced. A "
    "quote is cancelled wholly or some of its lines, each credited as it was invoiced.",
    responses=[403, 404, 409, 422],
)
@small_body
def cancel(document_id: uuid.UUID, json_data: CancelIn) -> dict[str, Any]:
    cancellations.cancel(
        unit_of_work(),
        document_id,
        reason=json_data.reason,
        lines=json_data.lines,
        actor=current_user(),
        effective_date=json_data.effective_date,
    )
    return document_out(document_overview_of(document_id))


@bp.post("/documents/<uuid:document_id>/regenerate")
@bp.auth_required(auth, roles=[scopes.WRITE])
@bp.output(VersionOut, status_code=201)
@bp.doc(
    summary="Render the document again as a new version (before it is sent)",
    description="Also the way to try again after a failed render. Answers 202 while the "
    "version renders; `Prefer: wait=N` waits for it (201).",
    responses=accepted_or(404, 409),
)
def regenerate(document_id: uuid.UUID) -> Any:
    version = regenerating.regenerate(unit_of_work(), document_id, actor=current_user())

    def body() -> dict[str, Any]:
        uow = unit_of_work()
        with uow:
            document = records.get_document(uow.session, document_id)
            return {
                "id": document_id,
                "version": version,
                "render_status": document.render_status,
                "render_error": document.render_error,
            }

    return rendered_answer(document_id, body, VersionOut, done_status=201)
