"""The second factor: the code asked for after a right password, and enrolling an
authenticator app (at sign-in where it is required, or from the account)."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.users import services as users
from app.users import two_factor
from app.users.models import User
from app.web import login_throttle, sessions
from app.web.context import runtime, unit_of_work
from app.web.redirects import local_target

bp = Blueprint("pages_two_factor", __name__)


def after_password(user: User) -> Response | None:
    """Where a right password leads when a second factor is due; None: signed in now."""
    required = runtime().settings.two_factor_required
    if not two_factor.needs_second_factor(user, required=required):
        return None
    sessions.start_pending(user)
    if user.totp_secret is None:
        return redirect(url_for("pages_two_factor.enrol"))
    return redirect(url_for("pages_two_factor.code", next=request.args.get("next")))


def _pending_user() -> User | None:
    user_id = sessions.pending_user_id()
    if user_id is None:
        return None
    uow = unit_of_work()
    with uow:
        user = users.get_user(uow.session, user_id)
    if user is None or not user.active or not sessions.pending_is_current(user):
        return None
    return user


def _refused(user: User) -> Response | None:
    wait = login_throttle.throttle().locked_for(user.email, request.remote_addr or "")
    return login_throttle.refusal(wait, user.email) if wait is not None else None


def _wrong(user: User) -> str:
    login_throttle.throttle().failed(user.email, request.remote_addr or "")
    return _("This code is wrong or was used already; enter the newest one your app shows.")


@bp.route("/login/code", methods=["GET", "POST"])
def code() -> Response | tuple[str, int]:
    user = _pending_user()
    if user is None:
        return redirect(url_for("pages_auth.login"))
    error = None
    if request.method == "POST":
        refused = _refused(user)
        if refused is not None:
            return refused
        uow = unit_of_work()
        with uow:
            accepted = two_factor.verify(uow.session, user, request.form.get("code", ""))
            uow.commit()
        if accepted:
            sessions.start(user)
            home = url_for("pages_documents.dashboard")
            return redirect(local_target(request.args.get("next"), home))
        error = _wrong(user)
    return render_template("login.html", error=error, code_step=True), 422 if error else 200


@bp.route("/account/two-factor", methods=["GET", "POST"])
def enrol() -> Response | tuple[str, int]:
    """Enrolling an app: for a signed-in user, or one whose password waits for it. Replacing
    an app asks for the password again, so that a session left open cannot move the second
    factor to another phone."""
    user = g.user or _pending_user()
    if user is None:
        return redirect(url_for("pages_auth.login", next=request.path))
    secret = session.get(sessions.ENROLLING)
    error = None
    if request.method == "POST" and isinstance(secret, str):
        refused = _refused(user)
        if refused is not None:
            return refused
        uow = unit_of_work()
        with uow:
            replacing = user.totp_secret is not None
            password = request.form.get("password", "")
            if replacing and users.authenticate(uow.session, user.email, password) is None:
                enrolled, error = False, _("This is not your current password.")
            else:
                enrolled = two_factor.enrol(uow.session, user, secret, request.form.get("code", ""))
            uow.commit()
        if enrolled:
            session.pop(sessions.ENROLLING, None)
            if g.user is None:
                sessions.start(user)
            flash(_("Your authenticator app is set up: signing in asks for its code."))
            return redirect(url_for("pages_documents.dashboard"))
        if error is None:
            error = _wrong(user)
        else:
            login_throttle.throttle().failed(user.email, request.remote_addr or "")
    if not isinstance(secret, str):
        secret = two_factor.new_secret()
        session[sessions.ENROLLING] = secret
    page = render_template(
        "two_factor_enrol.html",
        error=error,
        secret=secret,
        qr=two_factor.qr_svg(user, secret),
        enrolled=user.totp_secret is not None,
    )
    return page, 422 if error else 200
