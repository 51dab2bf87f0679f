from __future__ import annotations

from typing import Any

from flask import Request
from werkzeug.exceptions import BadRequest


class ApiRequest(Request):
    """Says what is wrong with a body that is not JSON (Flask's default says only 400)."""

    def on_json_loading_failed(self, e: ValueError | None) -> Any:
        raise BadRequest(f"the request body is not valid JSON: {e}") from e
