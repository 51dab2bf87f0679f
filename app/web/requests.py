from __future__ import annotations

import hashlib
from typing import Any

from flask import Request, request
from werkzeug.exceptions import BadRequest


class ApiRequest(Request):
    """Says what is wrong with a body that is not JSON (Flask's default says only 400)."""

    def on_json_loading_failed(self, e: ValueError | None) -> Any:
        raise BadRequest(f"the request body is not valid JSON: {e}") from e


def presented_key_sha256() -> str | None:
    """The SHA-256 of the bearer key the request presents, if any: what rate limits and
    idempotency keys are counted by, without a database lookup."""
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("bearer ") or len(header) <= 7:
        return None
    return hashlib.sha256(header[7:].strip().encode()).hexdigest()
