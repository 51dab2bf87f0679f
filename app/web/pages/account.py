"""A user's own account: changing their password (the current one required)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.errors import InvalidInput
from app.users import credentials
from app.users import services as users
from app.web import login_throttle, sessions
from app.web.context import unit_of_work
from app.web.pages.auth import login_required, signed_in_user

bp = Blueprint("pages_account", __name__)


def _labels() -> dict[str, str]:
    return {
        "current-password": _("Current password"),
        "new-password": _("New password"),
        "confirm-password": _("New password again"),
    }


def _page(errors: dict[str, str] | None = None, status: int = 200) -> tuple[str, int]:
    page = render_template("account/password.html", errors=errors or {}, labels=_labels())
    return page, status


def _policy_message(error: InvalidInput) -> str:
    code = error.errors[0].code if error.errors else ""
    if code == "too_short":
        return _("Use at least %(min)s characters.", min=credentials.MINIMUM_LENGTH)
    return _(
        "This password is too easy to guess. Use a longer one, e.g. four or five unrelated words."
    )


@bp.route("/account/password", methods=["GET", "POST"])
@login_required()
def password() -> Response | tuple[str, int]:
    if request.method == "GET":
        return _page()
    user = signed_in_user()
    throttle = login_throttle.throttle()
    address = request.remote_addr or ""
    wait = throttle.locked_for(user.email, address)
    if wait is not None:
        return login_throttle.refusal(wait, user.email)
    new = request.form.get("new_password", "")
    uow = unit_of_work()
    with uow:
        if (
            users.authenticate(uow.session, user.email, request.form.get("current_password", ""))
            is None
        ):
            throttle.failed(user.email, address)
            return _page({"current-password": _("This is not your current password.")}, 422)
        if new != request.form.get("confirm_password", ""):
            return _page({"confirm-password": _("The two new passwords differ.")}, 422)
        me = users.user_by_email(uow.session, user.email)
        try:
            credentials.set_password(uow.session, me, new, actor=me)
        except InvalidInput as error:
            return _page({"new-password": _policy_message(error)}, 422)
        uow.commit()
        sessions.keep_after_own_change(me)
    flash(_("Your password is changed; your other sessions are signed out."))
    return redirect(url_for("pages_documents.dashboard"))
