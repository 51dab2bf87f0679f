"""Any template's document form, generated from the template's data schema."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts import services as accounts
from app.documents import creating
from app.documents.resolve import data_schema
from app.errors import DomainError, FieldError
from app.library.models import PUBLISHED, Template, TemplateVersion
from app.library.templates import package_for, published_version
from app.web.context import unit_of_work
from app.web.form_errors import messages_by_field
from app.web.forms import build_fields, field_name, flatten, label_of, read_form
from app.web.pages.auth import login_required, signed_in_user

bp = Blueprint("pages_new_document", __name__)

CREATORS = ("support", "manager", "admin")


@bp.get("/documents/new/")
@login_required(*CREATORS)
def choose_template() -> str:
    uow = unit_of_work()
    with uow:
        templates = uow.session.scalars(
            select(Template)
            .join(TemplateVersion)
            .where(TemplateVersion.status == PUBLISHED)
            .order_by(Template.title)
        ).all()
        return render_template("new_document_choice.html", templates=templates)


@bp.route("/documents/new/<template>", methods=["GET", "POST"])
@login_required(*CREATORS)
def new_document(template: str) -> ResponseReturnValue:
    uow = unit_of_work()
    with uow:
        version = published_version(uow.session, template)
        package = package_for(version, uow.settings.template_cache_dir)
        choices = {
            "account": [
                (str(a.id), f"{a.name} ({a.country})") for a in accounts.list_accounts(uow.session)
            ],
            "language": [(language, language) for language in package.languages],
        }
    schema = data_schema(package)
    data: dict[str, Any] = package.sample_data() if request.args.get("sample") else {}
    data.pop("account", None)
    errors: dict[str, str] = {}
    if request.method == "POST":
        fields = build_fields(schema, values={}, choices=choices)
        data = read_form(request.form, fields)
        try:
            document_id = creating.create_document(
                unit_of_work(),
                template=template,
                data=data,
                external_ref=request.form.get("external_ref") or None,
                actor=signed_in_user(),
            )
            flash(_("%(template)s generated.", template=package.title))
            return redirect(url_for("pages_documents.document", document_id=document_id))
        except DomainError as exc:
            errors = messages_by_field(exc.errors or [FieldError("", exc.detail)], field_name)
    values = flatten(data)
    fields = build_fields(schema, values=values, choices=choices)
    page = render_template(
        "new_document.html",
        package=package,
        fields=fields,
        values=values,
        errors=errors,
        labels={name: label_of(fields, name) for name in errors},
    )
    return (page, 422) if errors else page
