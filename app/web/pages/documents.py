"""The support desk pages: documents list, the quote form, a document's page and actions."""

from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.accounts import services as accounts
from app.approvals import deciders, decisions
from app.billing import cancellations, purchase_orders
from app.billing import services as billing
from app.catalogue import services as catalogue
from app.db import utcnow
from app.documents import creating, previews, records, regenerating
from app.documents import files as document_files
from app.documents.approval_queue import queue_page, waiting_count
from app.documents.desk import desk_for
from app.documents.listing import list_documents
from app.documents.overview import document_overview
from app.documents.timeline import timeline
from app.errors import DomainError
from app.notifications import services as notifications
from app.signing import services as signing
from app.titles.schedule import licence_as_amended
from app.users import services as users
from app.web import document_forms, home_list, quote_form
from app.web.context import unit_of_work
from app.web.files import as_amended_response, file_response
from app.web.form_errors import refusal
from app.web.pages.auth import login_required, signed_in_user

bp = Blueprint("pages_documents", __name__)

STAFF = ("support", "manager", "director", "legal", "finance", "admin")
HOME_PAGE_SIZE = 50


@bp.get("/")
@login_required(*STAFF)
def dashboard() -> str:
    uow = unit_of_work()
    with uow:
        user = signed_in_user()
        shown = home_list.chosen(request.args, user)
        criteria = home_list.criteria(shown, user, users.team_of(uow.session, user))
        listing = list_documents(uow.session, criteria, limit=HOME_PAGE_SIZE, cursor=shown.cursor)
        return render_template(
            "dashboard.html",
            documents=listing.documents,
            next_cursor=listing.next_cursor,
            shown=shown,
            choices=home_list.CHOICES,
            notices=notifications.unread(uow.session, user.id),
            desk=desk_for(uow.session, user) if user.role in records.CREATOR_ROLES else None,
            approvals=waiting_count(uow.session, user, uow.settings.approval_matrix)
            if user.role in records.APPROVER_ROLES
            else 0,
        )


@bp.route("/documents/new", methods=["GET", "POST"])
@login_required("support", "manager", "admin")
def new_quote() -> ResponseReturnValue:
    """The quote form; its mistakes come back as the same page (422) with what was typed."""
    uow = unit_of_work()
    with uow:
        choices = {
            "accounts": accounts.list_accounts(uow.session),
            "products": catalogue.list_products(uow.session),
        }
    typed = quote_form.blank(utcnow().date())
    errors: dict[str, str] = {}
    preview = None
    if request.method == "POST":
        typed, data, errors = quote_form.checked(request.form)
        if not errors:
            try:
                if request.form.get("action") == "preview":
                    answer = previews.preview(unit_of_work(), template="quote", data=data)
                    preview = {"totals": answer.record, "approvals": answer.approvals}
                else:
                    document_id = creating.create_document(
                        unit_of_work(),
                        template="quote",
                        data=data,
                        external_ref=None,
                        actor=signed_in_user(),
                    )
                    flash(_("Quote generated."))
                    return redirect(url_for(".document", document_id=document_id))
            except DomainError as exc:
                errors = quote_form.refused(exc)
    page = render_template(
        "quote_form.html",
        form=typed,
        errors=errors,
        labels={name: quote_form.label(name) for name in errors},
        preview=preview,
        **choices,
    )
    return (page, 422) if errors else page


@bp.post("/documents/new/totals")
@login_required("support", "manager", "admin")
def live_totals() -> str:
    """The quote form's live totals and the approvals it will need, as the user types: a
    part of the page, which says what is still missing while the form is half filled."""
    typed, data, errors = quote_form.checked(request.form)
    preview = None
    if not errors:
        try:
            answer = previews.preview(unit_of_work(), template="quote", data=data)
            preview = {"totals": answer.record, "approvals": answer.approvals}
        except DomainError as exc:
            errors = quote_form.refused(exc)
    return render_template(
        "_live_totals.html",
        preview=preview,
        currency=typed.get("currency", ""),
        missing=[quote_form.label(name) for name in errors if name != "form"],
        problem=errors.get("form"),
    )


@bp.post("/documents/new/preview.pdf")
@login_required("support", "manager", "admin")
def preview_pdf() -> ResponseReturnValue:
    """The quote's PDF as it would be generated, marked PREVIEW, to look at in the page."""
    _typed, data, errors = quote_form.checked(request.form)
    try:
        if not errors:
            pdf = previews.preview_pdf(unit_of_work(), template="quote", data=data)
            return Response(
                pdf,
                mimetype="application/pdf",
                headers={"Content-Disposition": 'inline; filename="quote-preview.pdf"'},
            )
    except DomainError as exc:
        errors = quote_form.refused(exc)
    return {"errors": errors}, 422


@bp.get("/documents/<uuid:document_id>")
@login_required(*STAFF)
def document(document_id: uuid.UUID) -> str:
    return _document_page(document_id)


def _document_page(
    document_id: uuid.UUID,
    errors: dict[str, str] | None = None,
    refused: str | None = None,
) -> str:
    """The document's page; after a form's mistake, with the mistakes beside its fields
    (or a refusal naming no field at the top) and what was typed."""
    errors = errors or {}
    uow = unit_of_work()
    with uow:
        overview = document_overview(uow.session, document_id)
        waiting = {rule["role"] for rule in records.outstanding_approvals(overview.document)}
        can_decide = deciders.may_decide(
            overview.document, signed_in_user(), uow.settings.approval_matrix
        )
        invoiced = billing.invoiced_at(uow.session, [document_id]).get(document_id)
        steps = timeline(overview.document, overview.history, overview.signers, invoiced)
    invoicing = purchase_orders.invoicing_of(unit_of_work(), document_id)
    links = session.pop(f"links-{document_id}", None)
    return render_template(
        "document.html",
        o=overview,
        doc=overview.document,
        links=links,
        waiting_roles=waiting,
        can_decide=can_decide,
        steps=steps,
        invoicing=invoicing,
        po_roles=purchase_orders.PO_ROLES,
        errors=errors,
        labels={name: document_forms.label(name) for name in errors},
        refused=refused,
        typed=document_forms.typed(request.form) if errors or refused else {},
    )


def _mistake(document_id: uuid.UUID, exc: DomainError, form: str) -> tuple[str, int]:
    """The document page again after a service refused one of its forms: the refusal beside
    the fields it names, else at the top; with the status the API would answer."""
    errors = document_forms.refused(exc, form)
    if errors and set(errors) != {"form"}:
        return _document_page(document_id, errors=errors), 422
    return _document_page(document_id, refused=refusal(exc)), exc.status


@bp.post("/documents/<uuid:document_id>/approval")
@login_required(*records.APPROVER_ROLES)
def decide(document_id: uuid.UUID) -> ResponseReturnValue:
    decision = request.form.get("decision", "")
    if decision not in {"approve", "reject"}:
        return _document_page(document_id, refused=_("Choose approve or reject.")), 422
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
        return _mistake(document_id, exc, "decide")
    if request.form.get("back") == "queue":
        return redirect(url_for(".approval_queue"))
    return redirect(url_for(".document", document_id=document_id))


@bp.post("/documents/<uuid:document_id>/send")
@login_required("support", "manager", "admin")
def send(document_id: uuid.UUID) -> ResponseReturnValue:
    signers, errors = document_forms.signers(request.form)
    if errors:
        return _document_page(document_id, errors=errors), 422
    try:
        links = signing.send_for_signature(
            unit_of_work(), document_id, signers=signers, actor=signed_in_user()
        )
    except DomainError as exc:
        return _mistake(document_id, exc, "send")
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
def regenerate(document_id: uuid.UUID) -> ResponseReturnValue:
    try:
        version = regenerating.regenerate(unit_of_work(), document_id, actor=signed_in_user())
        flash(_("Generated version %(version)s.", version=version))
    except DomainError as exc:
        return _mistake(document_id, exc, "regenerate")
    return redirect(url_for(".document", document_id=document_id))


@bp.get("/documents/<uuid:document_id>/files/<kind>")
@login_required(*STAFF)
def download(document_id: uuid.UUID, kind: str) -> Response:
    version = request.args.get("version", type=int)
    url = document_files.download_url(unit_of_work(), document_id, kind, version)
    if url is not None:
        return redirect(url, code=303)
    return file_response(document_files.read_file(unit_of_work(), document_id, kind, version))


@bp.get("/documents/<uuid:document_id>/as-amended")
@login_required(*STAFF)
def as_amended(document_id: uuid.UUID) -> str:
    uow = unit_of_work()
    year = _year_asked()
    with uow:
        view = licence_as_amended(uow.session, document_id, year, storage=uow.storage)
    return render_template("as_amended.html", v=view)


def _year_asked() -> int | None:
    """`?year=2028`; anything else shows the year the titles last changed."""
    asked = request.args.get("year", "")
    return int(asked) if asked.isdigit() and 2000 <= int(asked) <= 2100 else None


@bp.get("/documents/<uuid:document_id>/as-amended.pdf")
@login_required(*STAFF)
def as_amended_pdf(document_id: uuid.UUID) -> Response:
    return as_amended_response(unit_of_work(), document_id, _year_asked())


@bp.get("/documents/<uuid:document_id>/as-amended.docx")
@login_required(*STAFF)
def as_amended_docx(document_id: uuid.UUID) -> Response:
    return as_amended_response(unit_of_work(), document_id, _year_asked(), kind="docx")


@bp.post("/documents/<uuid:document_id>/cancel")
@login_required("finance")
def cancel(document_id: uuid.UUID) -> ResponseReturnValue:
    chosen = [int(v) for v in request.form.getlist("lines") if v.isdigit()]
    try:
        cancellations.cancel(
            unit_of_work(),
            document_id,
            reason=request.form.get("reason", "").strip(),
            lines=chosen or None,
            actor=signed_in_user(),
            effective_date=document_forms.day(request.form.get("effective_date", "")),
        )
        flash(_("Cancelled; each credit note goes to finance's systems as invoice.credit."))
    except DomainError as exc:
        return _mistake(document_id, exc, "cancel")
    return redirect(url_for(".document", document_id=document_id))


@bp.post("/documents/<uuid:document_id>/purchase-orders")
@login_required(*purchase_orders.PO_ROLES)
def set_po(document_id: uuid.UUID) -> ResponseReturnValue:
    period = request.form.get("period", "")
    try:
        released = purchase_orders.set_po(
            unit_of_work(),
            document_id,
            period=int(period) if period.isdigit() else 0,
            po_number=request.form.get("po_number", ""),
            actor=signed_in_user(),
        )
        flash(
            _("PO set; the invoice held for it has been sent.")
            if released
            else _("PO set; the period's invoice will carry it.")
        )
    except DomainError as exc:
        return _mistake(document_id, exc, "po")
    return redirect(url_for(".document", document_id=document_id))


@bp.get("/approvals")
@login_required(*records.APPROVER_ROLES)
def approval_queue() -> str:
    uow = unit_of_work()
    with uow:
        page = queue_page(
            uow.session,
            signed_in_user(),
            uow.settings.approval_matrix,
            after=request.args.get("after", type=uuid.UUID),
        )
        return render_template("approvals.html", waiting=page.items, page=page)


@bp.post("/documents/<uuid:document_id>/remind")
@login_required(*records.CREATOR_ROLES)
def remind(document_id: uuid.UUID) -> ResponseReturnValue:
    try:
        links = signing.remind(unit_of_work(), document_id, actor=signed_in_user())
    except DomainError as exc:
        return _mistake(document_id, exc, "remind")
    if links:
        session[f"links-{document_id}"] = [
            {"name": link.name, "email": link.email, "url": link.url} for link in links
        ]
        flash(_("Fresh signing links: the old ones no longer work."))
    else:
        flash(_("DocuSign writes to the signers whose turn it is."))
    return redirect(url_for(".document", document_id=document_id))


@bp.post("/documents/<uuid:document_id>/void")
@login_required(*records.CREATOR_ROLES)
def void(document_id: uuid.UUID) -> ResponseReturnValue:
    try:
        signing.void(
            unit_of_work(),
            document_id,
            reason=request.form.get("reason", "").strip(),
            actor=signed_in_user(),
        )
        flash(_("Withdrawn from signature: the links no longer work."))
    except DomainError as exc:
        return _mistake(document_id, exc, "void")
    return redirect(url_for(".document", document_id=document_id))
