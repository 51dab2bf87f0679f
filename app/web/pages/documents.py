"""The support desk pages: documents list, the quote form, a document's page and actions."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from pydantic import ValidationError
from werkzeug.wrappers import Response

from app.accounts import services as accounts
from app.approvals import decisions
from app.assembly.schemas import QuoteData
from app.billing import cancellations
from app.billing import services as billing
from app.catalogue import services as catalogue
from app.documents import amendments
from app.documents import services as documents
from app.documents.approval_queue import waiting_for as approval_queue_for
from app.documents.desk import desk_for
from app.documents.overview import document_overview, recent_documents
from app.documents.timeline import timeline
from app.errors import DomainError, FieldError
from app.notifications import services as notifications
from app.signing import services as signing
from app.signing.services import SignerRequest
from app.validation import field_errors
from app.web.approval_reasons import rule_text
from app.web.context import unit_of_work
from app.web.files import as_amended_pdf_response, file_response
from app.web.formatting import money
from app.web.pages.auth import login_required, signed_in_user

bp = Blueprint("pages_documents", __name__)

STAFF = ("support", "manager", "director", "legal", "finance", "admin")
MAX_FORM_LINES = 50


def _form_lines(form: Any) -> list[dict[str, Any]]:
    lines = []
    for index in range(MAX_FORM_LINES):
        sku = form.get(f"lines-{index}-sku", "").strip()
        if not sku:
            continue
        quantity = form.get(f"lines-{index}-quantity", "").strip()
        lines.append(
            {
                "sku": sku,
                "quantity": int(quantity) if quantity.isdigit() else quantity,
                "discount_percent": form.get(f"lines-{index}-discount_percent", "").strip() or "0",
            }
        )
    return lines


def _form_data(form: Any) -> dict[str, Any]:
    return {
        "account": form.get("account", ""),
        "currency": form.get("currency", ""),
        "valid_until": form.get("valid_until") or None,
        "discount_percent": form.get("discount_percent", "").strip() or "0",
        "tax_rate_percent": form.get("tax_rate_percent", "").strip() or None,
        "po_number": form.get("po_number", "").strip() or None,
        "notes": form.get("notes", ""),
        "lines": _form_lines(form),
    }


def _errors_by_field(errors: list[FieldError]) -> dict[str, str]:
    """Form field names from JSON pointers: `/lines/0/quantity` -> `lines-0-quantity`."""
    by_field: dict[str, str] = {}
    for error in errors:
        name = error.pointer.removeprefix("/data").strip("/").replace("/", "-") or "form"
        by_field.setdefault(name, error.detail)
    return by_field


@bp.get("/")
@login_required(*STAFF)
def dashboard() -> str:
    uow = unit_of_work()
    with uow:
        user = signed_in_user()
        return render_template(
            "dashboard.html",
            documents=recent_documents(uow.session),
            notices=notifications.unread(uow.session, user.id),
            desk=desk_for(uow.session, user) if user.role in documents.CREATOR_ROLES else None,
            approvals=len(approval_queue_for(uow.session, user, uow.settings.approval_matrix))
            if user.role in documents.APPROVER_ROLES
            else 0,
        )


@bp.route("/documents/new", methods=["GET", "POST"])
@login_required("support", "manager", "admin")
def new_quote() -> Response | str:
    uow = unit_of_work()
    with uow:
        choices = {
            "accounts": accounts.list_accounts(uow.session),
            "products": catalogue.list_products(uow.session),
        }
    form_data: dict[str, Any] = {"lines": [], "currency": "EUR"}
    errors: dict[str, str] = {}
    preview = None
    if request.method == "POST":
        form_data = _form_data(request.form)
        try:
            data = QuoteData.model_validate(form_data)
            if request.form.get("action") == "preview":
                answer = documents.preview(
                    unit_of_work(), template="quote", data=data.model_dump(mode="json")
                )
                preview = {"totals": answer.record, "approvals": answer.approvals}
            else:
                document_id = documents.create_document(
                    unit_of_work(),
                    template="quote",
                    data=data.model_dump(mode="json"),
                    external_ref=None,
                    actor=signed_in_user(),
                )
                flash(_("Quote generated."))
                return redirect(url_for(".document", document_id=document_id))
        except ValidationError as exc:
            errors = _errors_by_field(field_errors(exc, form_data))
        except DomainError as exc:
            errors = _errors_by_field(exc.errors) or {"form": exc.detail}
    status = 422 if errors else 200
    page = render_template(
        "quote_form.html", form=form_data, errors=errors, preview=preview, **choices
    )
    return Response(page, status=status) if status != 200 else page


T = TypeVar("T")
Refusal = tuple[dict[str, Any], int]


def _on_quote_form(work: Callable[[dict[str, Any]], T]) -> T | Refusal:
    """The work done with the quote form's data, or the form's errors by field (422) when
    the data or the work refuses them."""
    form_data = _form_data(request.form)
    try:
        data = QuoteData.model_validate(form_data)
        return work(data.model_dump(mode="json"))
    except ValidationError as exc:
        return {"errors": _errors_by_field(field_errors(exc, form_data))}, 422
    except DomainError as exc:
        return {"errors": _errors_by_field(exc.errors) or {"form": exc.detail}}, 422


@bp.post("/documents/new/totals")
@login_required("support", "manager", "admin")
def live_totals() -> Refusal:
    """The quote form's live totals and the approvals it will need, as the user types."""
    answer = _on_quote_form(
        lambda data: documents.preview(unit_of_work(), template="quote", data=data)
    )
    if isinstance(answer, tuple):
        return answer
    currency = answer.record["currency"]
    return {
        "totals": {
            key: money(answer.record[key], currency)
            for key in ("subtotal", "discount", "tax", "total")
        },
        "approvals": [
            {"role": a["role"], "reason": rule_text(a), "step": a["step"]} for a in answer.approvals
        ],
    }, 200


@bp.post("/documents/new/preview.pdf")
@login_required("support", "manager", "admin")
def preview_pdf() -> Response | Refusal:
    """The quote's PDF as it would be generated, marked PREVIEW, to look at in the page."""
    pdf = _on_quote_form(
        lambda data: documents.preview_pdf(unit_of_work(), template="quote", data=data)
    )
    if isinstance(pdf, tuple):
        return pdf
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": 'inline; filename="quote-preview.pdf"'},
    )


@bp.get("/documents/<uuid:document_id>")
@login_required(*STAFF)
def document(document_id: uuid.UUID) -> str:
    uow = unit_of_work()
    with uow:
        overview = document_overview(uow.session, document_id)
        waiting = {rule["role"] for rule in documents.outstanding_approvals(overview.document)}
        can_decide = decisions.may_decide(
            overview.document, signed_in_user(), uow.settings.approval_matrix
        )
        invoiced = billing.invoiced_at(uow.session, [document_id]).get(document_id)
        steps = timeline(overview.document, overview.history, overview.signers, invoiced)
    links = session.pop(f"links-{document_id}", None)
    return render_template(
        "document.html",
        o=overview,
        doc=overview.document,
        links=links,
        waiting_roles=waiting,
        can_decide=can_decide,
        steps=steps,
    )


@bp.post("/documents/<uuid:document_id>/approval")
@login_required(*documents.APPROVER_ROLES)
def decide(document_id: uuid.UUID) -> Response:
    decision = request.form.get("decision", "")
    if decision not in {"approve", "reject"}:
        flash(_("Choose approve or reject."), "error")
    else:
        try:
            decisions.decide_approval(
                unit_of_work(),
                document_id,
                actor=signed_in_user(),
                decision=decision,
                comment=request.form.get("comment", "").strip(),
            )
            flash(_("Approved.") if decision == "approve" else _("Rejected."))
        except DomainError as exc:
            flash(exc.detail, "error")
    if request.form.get("back") == "queue":
        return redirect(url_for(".approval_queue"))
    return redirect(url_for(".document", document_id=document_id))


@bp.post("/documents/<uuid:document_id>/send")
@login_required("support", "manager", "admin")
def send(document_id: uuid.UUID) -> Response:
    signers = []
    for index in range(10):
        name = request.form.get(f"signers-{index}-name", "").strip()
        email = request.form.get(f"signers-{index}-email", "").strip()
        if name or email:
            signers.append(SignerRequest(name, email, index + 1))
    invalid = [s for s in signers if not s.name or "@" not in s.email]
    if not signers or invalid:
        flash(_("Give each signer a name and an email address."), "error")
        return redirect(url_for(".document", document_id=document_id))
    try:
        links = signing.send_for_signature(
            unit_of_work(), document_id, signers=signers, actor=signed_in_user()
        )
    except DomainError as exc:
        flash(exc.detail, "error")
        return redirect(url_for(".document", document_id=document_id))
    if not links:
        flash(_("Handed to DocuSign, which will write to the signers."))
        return redirect(url_for(".document", document_id=document_id))
    session[f"links-{document_id}"] = [
        {"name": link.name, "email": link.email, "url": link.url} for link in links
    ]
    flash(_("Sent for signature. Give each signer their link."))
    return redirect(url_for(".document", document_id=document_id))


@bp.post("/documents/<uuid:document_id>/regenerate")
@login_required("support", "manager", "admin")
def regenerate(document_id: uuid.UUID) -> Response:
    try:
        version = documents.regenerate(unit_of_work(), document_id, actor=signed_in_user())
        flash(_("Generated version %(version)s.", version=version))
    except DomainError as exc:
        flash(exc.detail, "error")
    return redirect(url_for(".document", document_id=document_id))


@bp.get("/documents/<uuid:document_id>/files/<kind>")
@login_required(*STAFF)
def download(document_id: uuid.UUID, kind: str) -> Response:
    version = request.args.get("version", type=int)
    url = documents.download_url(unit_of_work(), document_id, kind, version)
    if url is not None:
        return redirect(url, code=303)
    return file_response(documents.read_file(unit_of_work(), document_id, kind, version))


@bp.get("/documents/<uuid:document_id>/as-amended")
@login_required(*STAFF)
def as_amended(document_id: uuid.UUID) -> str:
    uow = unit_of_work()
    with uow:
        view = amendments.as_amended_view(amendments.as_amended(uow.session, document_id))
    return render_template("as_amended.html", v=view)


@bp.get("/documents/<uuid:document_id>/as-amended.pdf")
@login_required(*STAFF)
def as_amended_pdf(document_id: uuid.UUID) -> Response:
    return as_amended_pdf_response(unit_of_work(), document_id)


@bp.post("/documents/<uuid:document_id>/cancel")
@login_required("finance")
def cancel(document_id: uuid.UUID) -> Response:
    chosen = [int(v) for v in request.form.getlist("lines") if v.isdigit()]
    try:
        cancellations.cancel(
            unit_of_work(),
            document_id,
            reason=request.form.get("reason", "").strip(),
            lines=chosen or None,
            actor=signed_in_user(),
        )
        flash(_("Cancelled; the credit goes to finance's systems as invoice.credit."))
    except DomainError as exc:
        flash(exc.detail, "error")
    return redirect(url_for(".document", document_id=document_id))


@bp.get("/approvals")
@login_required(*documents.APPROVER_ROLES)
def approval_queue() -> str:
    uow = unit_of_work()
    with uow:
        waiting = approval_queue_for(uow.session, signed_in_user(), uow.settings.approval_matrix)
        return render_template("approvals.html", waiting=waiting)


@bp.post("/documents/<uuid:document_id>/remind")
@login_required(*documents.CREATOR_ROLES)
def remind(document_id: uuid.UUID) -> Response:
    try:
        links = signing.remind(unit_of_work(), document_id, actor=signed_in_user())
    except DomainError as exc:
        flash(exc.detail, "error")
        return redirect(url_for(".document", document_id=document_id))
    if links:
        session[f"links-{document_id}"] = [
            {"name": link.name, "email": link.email, "url": link.url} for link in links
        ]
        flash(_("Fresh signing links: the old ones no longer work."))
    else:
        flash(_("DocuSign writes to the signers whose turn it is."))
    return redirect(url_for(".document", document_id=document_id))


@bp.post("/documents/<uuid:document_id>/void")
@login_required(*documents.CREATOR_ROLES)
def void(document_id: uuid.UUID) -> Response:
    try:
        signing.void(
            unit_of_work(),
            document_id,
            reason=request.form.get("reason", "").strip() or "withdrawn",
            actor=signed_in_user(),
        )
        flash(_("Withdrawn from signature: the links no longer work."))
    except DomainError as exc:
        flash(exc.detail, "error")
    return redirect(url_for(".document", document_id=document_id))
