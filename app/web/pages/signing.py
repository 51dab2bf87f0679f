"""The customer's signing page (built-in signer): no login, a one-time link.

Every page and message here is in the language of the document being signed, whatever
the customer's browser or a signed-in user's setting says; money is written the way the
document writes it. The document itself is shown page by page, as images behind the same
link, and signing is a plain form post, so no script is needed."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import wraps
from typing import Any

from babel.numbers import format_currency
from flask import Blueprint, abort, render_template, request
from flask_babel import force_locale, gettext
from werkzeug.wrappers import Response

from app.assembly.document import LOCALES
from app.errors import Conflict, DomainError, FieldError, Gone, InvalidInput, NotFound
from app.signing import builtin_signing as signing
from app.signing import preview
from app.web.context import unit_of_work

bp = Blueprint("pages_signing", __name__)

View = Callable[..., Any]


def _in_document_language(view: View) -> View:
    """Run the view in the language of the document behind the link (the browser's for a
    link that never was)."""

    @wraps(view)
    def wrapper(token: str, **kwargs: Any) -> Any:
        language = signing.link_language(unit_of_work(), token)
        if language is None:
            return view(token, **kwargs)
        with force_locale(language):
            return view(token, **kwargs)

    return wrapper


def _message(error: DomainError | FieldError) -> str:
    """What the signer is told, in the page's language."""
    messages = {
        signing.LINK_UNKNOWN: lambda: gettext(
            "This link is not valid. Check that you opened the whole link you were sent, "
            "or ask the sender for a new one."
        ),
        signing.LINK_USED: lambda: gettext("This link has been used: the document is signed."),
        signing.LINK_EXPIRED: lambda: gettext(
            "This link has expired. Ask the sender for a new one."
        ),
        signing.NAME_MISSING: lambda: gettext("Please type your full name to sign."),
        signing.CONSENT_MISSING: lambda: gettext(
            "Your consent to sign electronically is needed: tick the box."
        ),
    }
    if error.detail in messages:
        return messages[error.detail]()
    if error.code == "name_mismatch" and isinstance(error, FieldError):
        return gettext(
            "Type the name this document is sent to, %(name)s, to sign (capitals, spaces and "
            "accents do not matter).",
            name=error.params.get("name", ""),
        )
    if error.code == "quote_expired":
        return gettext("This quote has expired. Ask the sender for a new one.")
    if isinstance(error, Gone | NotFound):
        return gettext(
            "This document is no longer out for signature. "
            "Ask the sender if you expected to sign it."
        )
    return gettext("This document cannot be signed now. Ask the sender about it.")


def _closed(error: Gone | NotFound) -> tuple[str, int]:
    return render_template("sign_closed.html", message=_message(error)), error.status


def _signing_page(token: str, *, typed_name: str = "", error: DomainError | None = None) -> str:
    view = signing.open_signing_link(unit_of_work(), token)
    pages = preview.document_pages(unit_of_work(), token)
    total = format_currency(
        Decimal(view.total), view.currency, locale=LOCALES.get(view.language, "en_GB")
    )
    fields = {e.pointer.lstrip("/"): _message(e) for e in error.errors} if error else {}
    return render_template(
        "sign.html",
        view=view,
        token=token,
        total=total,
        pages=pages,
        typed_name=typed_name,
        error=_message(error) if error and not fields else None,
        field_errors=fields,
    )


@bp.get("/sign/<token>")
@_in_document_language
def sign_page(token: str) -> str | tuple[str, int]:
    try:
        signing.record_opened(
            unit_of_work(),
            token,
            ip_address=request.remote_addr or "",
            user_agent=request.headers.get("User-Agent", ""),
        )
        return _signing_page(token)
    except (Gone, NotFound) as exc:
        return _closed(exc)


@bp.get("/sign/<token>/document.pdf")
@_in_document_language
def sign_document(token: str) -> Response | tuple[str, int]:
    try:
        pdf = signing.unsigned_pdf_for_token(unit_of_work(), token)
    except (Gone, NotFound) as exc:
        return _closed(exc)
    return Response(pdf, mimetype="application/pdf")


@bp.get("/sign/<token>/pages/<int:number>.png")
@_in_document_language
def sign_document_page(token: str, number: int) -> Response | tuple[str, int]:
    try:
        image = preview.page_image(unit_of_work(), token, number)
    except (Gone, NotFound) as exc:
        return _closed(exc)
    if image is None:
        abort(404)
    response = Response(image.png, mimetype="image/png")
    response.set_etag(image.etag)
    response.cache_control.private = True
    response.cache_control.max_age = 3600
    return response.make_conditional(request)


@bp.post("/sign/<token>")
@_in_document_language
def sign(token: str) -> str | tuple[str, int]:
    typed_name = request.form.get("typed_name", "")
    try:
        signing.sign(
            unit_of_work(),
            token,
            typed_name=typed_name,
            consent=request.form.get("consent") == "yes",
            ip_address=request.remote_addr or "",
            user_agent=request.headers.get("User-Agent", ""),
        )
    except (Gone, NotFound) as exc:
        return _closed(exc)
    except (InvalidInput, Conflict) as exc:
        return _signing_page(token, typed_name=typed_name, error=exc), exc.status
    return render_template("signed.html")
