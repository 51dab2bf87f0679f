"""Answers for requests whose document renders after them (create, revise, regenerate).

Without a preference the answer is 202 Accepted at once: the document's URL in
`Location` and its `render_status` (`rendering`, then `ready` or `failed`) in the body.
A caller that sends `Prefer: wait=N` (RFC 7240) is answered once the render settled or
N seconds passed (at most the render timeout), with `Preference-Applied`: the finished
document with the usual status, a failed render as a problem with its reason, or, when
time ran out, the 202 above."""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from flask import Response, jsonify, request, url_for
from pydantic import BaseModel

from app.documents import render_job
from app.documents.models import READY, RENDER_FAILED
from app.web.context import runtime, unit_of_work
from app.web.idempotency import answer_early
from app.web.problems import problem, problem_response

ACCEPTED = 202


def accepted_or(*statuses: int) -> dict[int, str]:
    """The documented answers of a view that renders after it: 202 and `statuses`."""
    return {
        ACCEPTED: "Recorded; its files are rendering. `Location` is the document; follow it "
        "until `render_status` is ready or failed, or send `Prefer: wait=N` to wait up to N "
        "seconds for the finished document (answered with `Preference-Applied`)",
        **{status: HTTPStatus(status).phrase for status in statuses},
    }


def preferred_wait() -> int | None:
    """The seconds the caller prefers to wait (`Prefer: wait=N`), if it said."""
    for header in request.headers.getlist("Prefer"):
        for preference in header.split(","):
            name, _, value = preference.split(";")[0].partition("=")
            value = value.strip().strip('"')
            if name.strip().lower() == "wait" and value.isdigit():
                return int(value)
    return None


def rendered_answer(
    document_id: uuid.UUID,
    body: Callable[[], dict[str, Any]],
    schema: type[BaseModel],
    *,
    done_status: int,
) -> tuple[Any, int, dict[str, str]] | Response:
    """The answer for a document whose render was just queued; `body` reads it afresh."""
    location = url_for("api_documents.get", document_id=document_id, _external=True)
    headers = {"Location": location}
    wait = preferred_wait()
    if wait is None:
        return body(), ACCEPTED, headers
    cap = math.ceil(runtime().settings.render_timeout_seconds)
    seconds = min(wait, cap)
    accepted = jsonify(schema.model_validate(body()).model_dump(mode="json"))
    accepted.status_code = ACCEPTED
    accepted.headers.update(headers)
    answer_early(accepted)
    status = render_job.wait_until_settled(unit_of_work(), document_id, seconds)
    headers["Preference-Applied"] = f"wait={seconds}"
    if status == READY:
        return body(), done_status, headers
    if status == RENDER_FAILED:
        _, reason = render_job.render_status(unit_of_work(), document_id)
        failed = problem(
            422,
            "Unprocessable Content",
            f"the document was recorded but could not be rendered: {reason}",
            slug="render-failed",
        )
        return problem_response({**failed, "document": location}, headers)
    return body(), ACCEPTED, headers
