"""Administration pages: API keys for CRMs and scripts."""

from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.errors import DomainError, NotFound
from app.users import services as users
from app.users.scopes import ROLE_SCOPES, SCOPES
from app.web.context import unit_of_work
from app.web.form_errors import messages_by_field, refusal
from app.web.pages.auth import login_required, signed_in_user

bp = Blueprint("pages_admin", __name__)


FIELDS = {"user": "key-user", "name": "key-name", "scopes": "key-scopes"}


def _label(name: str) -> str:
    return {"key-user": _("Acts as"), "key-name": _("What it is for"), "key-scopes": _("Scopes")}[
        name
    ]


def _page(
    new_key: dict[str, str] | None = None,
    status: int = 200,
    errors: dict[str, str] | None = None,
) -> tuple[str, int]:
    """The keys and the form; after a mistake, with it beside its field and what was typed."""
    errors = errors or {}
    uow = unit_of_work()
    with uow:
        page = render_template(
            "admin/api_keys.html",
            keys=users.list_api_keys(uow.session),
            people=users.list_users(uow.session),
            scopes=SCOPES,
            role_scopes=ROLE_SCOPES,
            new_key=new_key,
            errors=errors,
            labels={name: _label(name) for name in errors},
            typed=request.form if errors else {},
        )
    return page, status


@bp.get("/admin/api-keys")
@login_required("admin")
def api_keys() -> tuple[str, int]:
    return _page()


@bp.post("/admin/api-keys")
@login_required("admin")
def create_api_key() -> tuple[str, int]:
    """The new key is shown in this answer only: it is stored as a hash."""
    name = request.form.get("name", "").strip()
    if not name:
        return _page(status=422, errors={"key-name": _("Fill in this field.")})
    uow = unit_of_work()
    try:
        with uow:
            try:
                user = users.user_by_email(uow.session, request.form.get("user", ""))
            except NotFound:
                return _page(status=422, errors={"key-user": _("Choose a user from the list.")})
            record, key = users.create_api_key(
                uow.session,
                user=user,
                name=name,
                scopes=request.form.getlist("scopes") or None,
                actor=signed_in_user(),
            )
            uow.commit()
            shown = {"name": record.name, "user": user.email, "key": key}
    except DomainError as exc:
        errors = messages_by_field(
            exc.errors, lambda pointer: FIELDS.get(pointer.strip("/"), "form")
        )
        return _page(status=exc.status, errors=errors or {"form": refusal(exc)})
    return _page(new_key=shown, status=201)


@bp.post("/admin/api-keys/<uuid:key_id>/revoke")
@login_required("admin")
def revoke_api_key(key_id: uuid.UUID) -> Response:
    uow = unit_of_work()
    try:
        with uow:
            record = users.revoke_api_key(uow.session, key_id, actor=signed_in_user())
            uow.commit()
            flash(_("Revoked %(prefix)s… (%(name)s).", prefix=record.prefix, name=record.name))
    except DomainError as exc:
        flash(refusal(exc), "error")
    return redirect(url_for(".api_keys"))
