from __future__ import annotations

import hashlib
from typing import Any

from flask import Request, request
from werkzeug.exceptions import BadRequest

from app.web.hygiene import check_depth


class ApiRequest(Request):
    """Says what is wrong with a body that is not JSON (Flask's default says only 400)."""

    def on_json_loading_failed(self, e: ValueError | None) -> Any:
        raise BadRequest(f"the request body is not valid JSON: {e}") from e

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        """The body as JSON, once it is known not to nest too deep to parse safely."""
        if force or self.is_json:
            try:
                check_depth(self.get_data(cache=True))
            except BadRequest:
                if silent:
                    return None
                raise
        return super().get_json(force=force, silent=silent, cache=cache)


def presented_key_sha256() -> str | None:
    """The SHA-256 of the bearer key the request presents, if any: what rate limits and
    idempotency keys are counted by, without a database lookup."""
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("bearer ") or len(header) <= 7:
        return None
    return hashlib.sha256(header[7:].strip().encode()).hexdigest()
