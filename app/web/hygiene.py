"""What every API request is checked for before a view sees it.

- A JSON body nested deeper than `MAX_DEPTH` is refused (400) before it is parsed: the
  parser recurses, and a deep enough body would exhaust the stack.
- A small body limit (`CONTRACTDESK_SMALL_REQUEST_BYTES`) for the calls that take a few
  fields (decisions, keys, endpoints) and for DocuSign's Connect events, so a large body
  is refused (413) before it is read; documents and title lists keep the larger limits.
- Text the service can never store or show is refused (422, naming where) wherever an
  API request carries it: the path, the query string, and every key and string of a JSON
  body, also where a field takes any JSON (`data`); a page's address too (400). The
  schemas' `Line` and `Text` say the same per field, and more (no line breaks in a line).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from apiflask import APIFlask
from flask import Response, current_app, request
from werkzeug.exceptions import BadRequest

from app.assembly.text import refused_character
from app.config import Settings
from app.errors import FieldError, InvalidInput

MAX_DEPTH = 32
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")
SMALL_BODY = "_small_body"

View = TypeVar("View", bound=Callable[..., Any])


def small_body(view: View) -> View:
    """Marks a view that takes only a small body; put it below the route decorators."""
    setattr(view, SMALL_BODY, True)
    return view


def nested_deeper_than(body: bytes, limit: int) -> bool:
    """Whether a JSON text opens more than `limit` arrays and objects inside each other,
    counted without parsing it (strings, where brackets mean nothing, are left out)."""
    depth = 0
    for bracket in _BRACKET.finditer(_STRING.sub(b'""', body)):
        if bracket.group() in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def check_depth(body: bytes) -> None:
    if nested_deeper_than(body, MAX_DEPTH):
        raise BadRequest(f"the JSON body is nested deeper than {MAX_DEPTH} levels")


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def _strings(node: Any, pointer: str) -> Iterator[tuple[str, str]]:
    """Every string of a parsed JSON body, keys too, with its JSON pointer."""
    if isinstance(node, str):
        yield pointer, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield f"{pointer}/{_escape(key)}", key
            yield from _strings(value, f"{pointer}/{_escape(key)}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _strings(value, f"{pointer}/{index}")


def _refused_text(*, body: bool) -> list[FieldError]:
    found: list[tuple[str, str, bool]] = []
    for name, value in (request.view_args or {}).items():
        if isinstance(value, str):
            found.append((f"/{_escape(name)}", value, True))
    for name, value in request.args.items(multi=True):
        found.append((f"/{_escape(name)}", name, True))
        found.append((f"/{_escape(name)}", value, True))
    if body and request.is_json and request.content_length:
        parsed = request.get_json(silent=True)
        found.extend((pointer, text, False) for pointer, text in _strings(parsed, ""))
    errors = []
    for pointer, text, one_line in found:
        problem = refused_character(text, one_line=one_line)
        if problem:
            errors.append(FieldError(pointer, problem, "value_error"))
    return errors


def _before(settings: Settings) -> Callable[[], Response | None]:
    def check() -> Response | None:
        if not request.path.startswith("/api/"):
            # A page's form is checked by its schema; its address is checked here.
            if _refused_text(body=False):
                raise BadRequest("the address holds characters the service does not take")
            return None
        view = current_view()
        if view is not None and getattr(view, SMALL_BODY, False):
            request.max_content_length = settings.small_request_bytes
        errors = _refused_text(body=True)
        if errors:
            raise InvalidInput("the request holds characters the service does not take", errors)
        return None

    return check


def current_view() -> Callable[..., Any] | None:
    return current_app.view_functions.get(request.endpoint or "")


def init_app(app: APIFlask, settings: Settings) -> None:
    app.config["SMALL_REQUEST_BYTES"] = settings.small_request_bytes
    app.before_request(_before(settings))
