"""Administration pages: API keys for CRMs and scripts."""

from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.errors import DomainError
from app.users import services as users
from app.users.scopes import ROLE_SCOPES, SCOPES
from app.web.context import unit_of_work
from app.web.pages.auth import login_required, signed_in_user

bp = Blueprint("pages_admin", __name__)


def _page(new_key: dict[str, str] | None = None, status: int = 200) -> tuple[str, int]:
    uow = unit_of_work()
    with uow:
        page = render_template(
            "admin/api_keys.html",
            keys=users.list_api_keys(uow.session),
            people=users.list_users(uow.session),
            scopes=SCOPES,
            role_scopes=ROLE_SCOPES,
            new_key=new_key,
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
    uow = unit_of_work()
    try:
        with uow:
            user = users.user_by_email(uow.session, request.form.get("user", ""))
            record, key = users.create_api_key(
                uow.session,
                user=user,
                name=request.form.get("name", "").strip() or "unnamed",
                scopes=request.form.getlist("scopes") or None,
                actor=signed_in_user(),
            )
            uow.commit()
            shown = {"name": record.name, "user": user.email, "key": key}
    except DomainError as exc:
        flash(exc.detail, "error")
        return _page(status=422)
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
        flash(exc.detail, "error")
    return redirect(url_for(".api_keys"))
