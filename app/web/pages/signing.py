"""The customer's signing page (built-in signer): no login, a one-time link."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from werkzeug.wrappers import Response

from app.errors import Conflict, Gone, InvalidInput, NotFound
from app.signing import services as signing
from app.web.context import unit_of_work

bp = Blueprint("pages_signing", __name__)


def _closed(exc: Gone | NotFound) -> tuple[str, int]:
    return render_template("sign_closed.html", detail=exc.detail), exc.status


@bp.get("/sign/<token>")
def sign_page(token: str) -> str | tuple[str, int]:
    try:
        view = signing.open_signing_link(unit_of_work(), token)
        signing.record_opened(
            unit_of_work(),
            token,
            ip_address=request.remote_addr or "",
            user_agent=request.headers.get("User-Agent", ""),
        )
    except (Gone, NotFound) as exc:
        return _closed(exc)
    return render_template("sign.html", view=view, token=token, error=None, typed_name="")


@bp.get("/sign/<token>/document.pdf")
def sign_document(token: str) -> Response | tuple[str, int]:
    try:
        pdf = signing.unsigned_pdf_for_token(unit_of_work(), token)
    except (Gone, NotFound) as exc:
        return _closed(exc)
    return Response(pdf, mimetype="application/pdf")


@bp.post("/sign/<token>")
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
        view = signing.open_signing_link(unit_of_work(), token)
        page = render_template(
            "sign.html", view=view, token=token, error=exc.detail, typed_name=typed_name
        )
        return page, exc.status
    return render_template("signed.html")
