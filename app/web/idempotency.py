"""`Idempotency-Key` on every POST of the API: a retried request gets the first answer."""

from __future__ import annotations

import hashlib
import re

from apiflask import APIFlask
from flask import Response, g, request

from app.idempotency import store
from app.web.context import unit_of_work
from app.web.problems import problem, problem_response
from app.web.requests import presented_key_sha256

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
KEY_PATTERN = rf"^[\x20-\x7e]{{1,{MAX_KEY_LENGTH}}}$"
"""Printable ASCII: what a header carries unchanged through every proxy."""


def _request_sha256() -> str:
    digest = hashlib.sha256(f"{request.method} {request.full_path}\n".encode())
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _before() -> Response | None:
    key = request.headers.get(HEADER)
    if key is None or request.method != "POST" or not request.path.startswith("/api/"):
        return None
    caller = presented_key_sha256()
    if caller is None:
        return None  # the view answers 401; nothing to remember
    if not re.fullmatch(KEY_PATTERN, key):
        return problem_response(
            problem(
                400,
                "Bad Request",
                f"{HEADER} is 1 to {MAX_KEY_LENGTH} printable ASCII characters",
            )
        )
    outcome = store.claim(unit_of_work(), caller=caller, key=key, request_sha256=_request_sha256())
    if isinstance(outcome, store.Claimed):
        g.idempotency_record = outcome.record_id
        return None
    if isinstance(outcome, store.Replay):
        replay = Response(outcome.body, status=outcome.status, headers=outcome.headers)
        replay.headers["Idempotent-Replayed"] = "true"
        return replay
    if isinstance(outcome, store.Mismatch):
        return problem_response(
            problem(
                422,
                "Unprocessable Content",
                f"this {HEADER} was used for another request; use a new key for a new request",
                slug="idempotency-key-reused",
            )
        )
    busy = problem_response(
        problem(
            409,
            "Conflict",
            f"the first request with this {HEADER} is still being answered; retry shortly",
            slug="idempotency-key-in-use",
        )
    )
    busy.headers["Retry-After"] = "1"
    return busy


def _after(response: Response) -> Response:
    record_id = g.pop("idempotency_record", None)
    if record_id is not None:
        store.answer(
            unit_of_work(),
            record_id,
            status=response.status_code,
            headers=dict(response.headers),
            body=response.get_data(),
        )
    return response


def init_app(app: APIFlask) -> None:
    app.before_request(_before)
    app.after_request(_after)


def answer_early(response: Response) -> None:
    """Keep `response` as the answer for retries now, before the request has finished (a
    request that waits for a render: its document exists from here on, so a retry gets
    that document instead of a conflict). The final answer replaces it."""
    record_id = g.get("idempotency_record")
    if record_id is not None:
        store.answer(
            unit_of_work(),
            record_id,
            status=response.status_code,
            headers=dict(response.headers),
            body=response.get_data(),
        )
