"""Every error body, in one place: RFC 9457 problem documents on the API, pages elsewhere."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from apiflask import APIFlask, HTTPError
from flask import Response, jsonify, render_template, request
from flask_babel import gettext
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from app.errors import ControlRefused, DomainError, FieldError, TooLarge, Unavailable
from app.validation import field_errors

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    slug: str | None = None,
    errors: list[FieldError] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": f"/problems/{slug}" if slug else "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.path,
    }
    if errors:
        body["errors"] = [{"pointer": e.pointer, "detail": e.detail} for e in errors]
    return body


def problem_response(body: dict[str, Any], headers: Any = None) -> Response:
    response = jsonify(body)
    response.status_code = body["status"]
    response.mimetype = PROBLEM_JSON
    if headers:
        response.headers.update(headers)
    return response


def _is_api() -> bool:
    return request.path.startswith("/api/")


def _http_error_problem(error: HTTPError) -> dict[str, Any]:
    cause = error.__cause__
    if isinstance(cause, ValidationError):
        return problem(
            422,
            "Invalid input",
            "the request body does not match the schema; see errors",
            slug="invalid-input",
            errors=field_errors(cause, _input()),
        )
    detail = error.message if isinstance(error.message, str) else str(error.message)
    return problem(error.status_code, _reason(error.status_code), detail)


def _input() -> Any:
    """What a validation error's locations point into: the JSON body, else the query."""
    body = request.get_json(silent=True)
    return request.args.to_dict() if body is None else body


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _page(status: int, title: str, detail: str) -> tuple[str, int]:
    """An error as a page in the service's style and the reader's language."""
    return render_template("error.html", title=title, detail=detail, status=status), status


def init_app(app: APIFlask) -> None:
    @app.error_processor
    def _api_error(error: HTTPError) -> Response:
        return problem_response(_http_error_problem(error), error.headers)

    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError) -> Any:
        if error.status >= 500:
            log.error("%s: %s", type(error).__name__, error.detail)
        if _is_api():
            rule = error.rule if isinstance(error, ControlRefused) else None
            body = problem(
                error.status,
                error.title,
                error.detail,
                slug=rule or error.slug,
                errors=error.errors,
            )
            if rule:
                body["rule"] = rule
            limit = getattr(error, "limit", None)  # an upload bound (app.uploads.limits)
            if limit is not None:
                body["limit"] = limit.as_json()
            return problem_response(body)
        return render_template("error.html", title=error.title, detail=error.detail), error.status

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(error: RequestEntityTooLarge) -> Any:
        limit = request.max_content_length  # a route may allow more (title lists)
        settings = {
            app.config["MAX_CONTENT_LENGTH"]: "CONTRACTDESK_MAX_REQUEST_BYTES",
            app.config.get("SMALL_REQUEST_BYTES"): "CONTRACTDESK_SMALL_REQUEST_BYTES",
        }
        setting = settings.get(limit, "CONTRACTDESK_TITLE_LIST_MAX_BYTES")
        return _domain_error(
            TooLarge(
                f"the request body is larger than {limit:,} bytes, the most accepted ({setting})"
            )
        )

    @app.errorhandler(DBAPIError)
    def _database_error(error: DBAPIError) -> Any:
        if not error.connection_invalidated:
            return _unexpected(error)
        return _domain_error(
            Unavailable("the connection to the database was lost; nothing was saved, try again")
        )

    @app.errorhandler(HTTPException)
    def _page_http_error(error: HTTPException) -> Any:
        status = error.code or 500
        if _is_api():
            detail = error.description or _reason(status)
            headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
            return problem_response(problem(status, _reason(status), detail), headers)
        if status == 404:
            return _page(
                404,
                gettext("Page not found"),
                gettext(
                    "There is no page at this address. The link may be mistyped or out of "
                    "date; the documents list is a good place to start again."
                ),
            )
        return _page(status, _reason(status), error.description or "")

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Any:
        log.exception("unhandled error on %s %s", request.method, request.path)
        detail = "an unexpected error occurred; it has been logged"
        if _is_api():
            return problem_response(problem(500, "Internal Server Error", detail))
        return _page(
            500,
            gettext("Something went wrong"),
            gettext(
                "The service could not finish this request. The fault has been logged for us "
                "to fix; please try again in a moment."
            ),
        )
