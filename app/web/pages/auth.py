"""Signing in to the pages: password login, the session, and role checks."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from apiflask import APIFlask
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.uow import UnitOfWork
from app.users import lockouts
from app.users import services as users
from app.users.models import User
from app.web import login_throttle, sessions
from app.web.context import runtime, unit_of_work
from app.web.i18n import AUTOMATIC, LANGUAGES
from app.web.pages import two_factor as two_factor_pages
from app.web.redirects import local_target

bp = Blueprint("pages_auth", __name__)

F = TypeVar("F", bound=Callable[..., Any])


def _load_user() -> None:
    g.user = None
    user_id = sessions.claimed_user_id()
    if user_id is None:
        return
    uow = unit_of_work()
    with uow:
        user = users.get_user(uow.session, user_id)
    if sessions.still_valid(user, runtime().settings):
        g.user = user


def init_app(app: APIFlask) -> None:
    app.before_request(_load_user)

    @app.context_processor
    def _inject_user() -> dict[str, Any]:
        return {"current_user": g.get("user")}


def login_required(*roles: str) -> Callable[[F], F]:
    """Redirect to the login page when signed out; 403 when the role may not see the page."""

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if g.user is None:
                return redirect(url_for("pages_auth.login", next=request.path))
            if roles and g.user.role not in roles:
                abort(403, _("Your role cannot use this page."))
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def signed_in_user() -> User:
    user = g.user
    assert isinstance(user, User)
    return user


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str:
    error = None
    if request.method == "POST":
        email = request.form.get("email", "")
        throttle = login_throttle.throttle()
        address = request.remote_addr or ""
        wait = throttle.locked_for(email, address)
        if wait is not None:
            return login_throttle.refusal(wait, email)
        uow = unit_of_work()
        with uow:
            user = users.authenticate(uow.session, email, request.form.get("password", ""))
            if user is None:
                _count_failure(uow, throttle, email, address)
        if user is not None:
            throttle.succeeded(email)
            second_factor = two_factor_pages.after_password(user)
            if second_factor is not None:
                return second_factor
            sessions.start(user)
            home = url_for("pages_documents.dashboard")
            return redirect(local_target(request.args.get("next"), home))
        error = _("Email or password is wrong.")
    return render_template("login.html", error=error, email=request.form.get("email", ""))


def _count_failure(
    uow: UnitOfWork, throttle: login_throttle.LoginThrottle, email: str, address: str
) -> None:
    """Count a wrong password; the one that locks an account or address is audited."""
    account_locked, address_locked = throttle.failed(email, address)
    if account_locked:
        lockouts.account_locked(
            uow.session,
            email=email,
            address=address,
            failures=throttle.account_limit.amount,
            until=throttle.until(email),
        )
    if address_locked:
        lockouts.address_locked(
            uow.session,
            address=address,
            failures=throttle.address_limit.amount,
            until=throttle.address_until(address),
        )
    if account_locked or address_locked:
        uow.commit()


@bp.post("/account/language")
@login_required()
def choose_language() -> Response:
    language = request.form.get("language", "")
    if language in (*LANGUAGES, AUTOMATIC):
        uow = unit_of_work()
        with uow:
            chosen = None if language == AUTOMATIC else language
            users.set_language(uow.session, signed_in_user().id, chosen)
            uow.commit()
    home = url_for("pages_documents.dashboard")
    return redirect(local_target(request.form.get("next"), home))


@bp.post("/logout")
def logout() -> Response:
    if g.user is not None:
        uow = unit_of_work()
        with uow:
            users.end_sessions(uow.session, g.user.id)
            uow.commit()
    sessions.end()
    flash(_("You are signed out."))
    return redirect(url_for("pages_auth.login"))
