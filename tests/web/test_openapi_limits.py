"""The OpenAPI document says exactly what is accepted (issue 21), so that a client
generated from it is right: every request body is required, every string it holds has a
length limit (or is an enum, a date, an id), every array a count limit, every map a
size limit; text says which characters it refuses; document kinds and statuses are
enums; the `Idempotency-Key` header has its format."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from apiflask import APIFlask

from app.assembly.kinds import KINDS
from app.assembly.text import LINE_PATTERN, TEXT_PATTERN
from app.documents.models import STATUSES

# File bodies (CSV, JSON Lines, XLSX, ZIP) are bounded by the request size limits.
FILE_TYPES = {
    "text/csv",
    "application/jsonl",
    "application/zip",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
BOUNDED_FORMATS = {"date", "date-time", "uuid", "email", "binary"}


def _spec(app: APIFlask) -> dict[str, Any]:
    spec: dict[str, Any] = app.test_client().get("/api/openapi.json").json
    return spec


def _walk(
    node: Any, where: str, schemas: dict[str, Any], seen: frozenset[str] = frozenset()
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema inside `node`, following references once, with where it is."""
    if isinstance(node, list):
        for item in node:
            yield from _walk(item, where, schemas, seen)
        return
    if not isinstance(node, dict):
        return
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        if name not in seen:
            yield from _walk(schemas[name], name, schemas, seen | {name})
        return
    yield where, node
    for key, value in node.items():
        if key == "properties":
            for name, schema in value.items():
                yield from _walk(schema, f"{where}.{name}", schemas, seen)
        elif key not in ("examples", "example", "default", "enum", "const"):
            yield from _walk(value, where, schemas, seen)


def _request_schemas(spec: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    schemas = spec["components"]["schemas"]
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            label = f"{method.upper()} {path}"
            body = operation.get("requestBody")
            if body:
                for content_type, content in body["content"].items():
                    if content_type not in FILE_TYPES:
                        yield from _walk(content["schema"], label, schemas)
            for parameter in operation.get("parameters", []):
                yield from _walk(parameter["schema"], f"{label} {parameter['name']}", schemas)


def test_every_request_body_is_required(app: APIFlask) -> None:
    spec = _spec(app)
    optional = [
        f"{method} {path}"
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        if "requestBody" in operation and not operation["requestBody"].get("required")
    ]
    assert optional == []


def test_every_string_array_and_map_a_request_takes_is_bounded(app: APIFlask) -> None:
    unbounded = []
    for where, schema in _request_schemas(_spec(app)):
        kind = schema.get("type")
        if kind == "string":
            bounded = (
                "maxLength" in schema
                or "enum" in schema
                or "const" in schema
                or schema.get("format") in BOUNDED_FORMATS
            )
        elif kind == "array":
            bounded = "maxItems" in schema
        elif kind == "object" and schema.get("additionalProperties") not in (None, False):
            bounded = "maxProperties" in schema
        else:
            continue
        if not bounded:
            unbounded.append((where, schema))
    assert unbounded == []


def test_free_text_says_which_characters_it_refuses(app: APIFlask) -> None:
    """A string without a pattern of its own carries the text pattern (no controls)."""
    plain = [
        where
        for where, schema in _request_schemas(_spec(app))
        if schema.get("type") == "string"
        and "pattern" not in schema
        and "enum" not in schema
        and "const" not in schema
        and schema.get("format") not in BOUNDED_FORMATS | {"uri"}
    ]
    assert plain == []


def test_the_text_patterns_say_what_the_validators_do() -> None:
    for text in ("Northfield College", "جامعة \u200fالقاهرة", "中文 — «quoted»"):
        assert re.fullmatch(LINE_PATTERN, text)
        assert re.fullmatch(TEXT_PATTERN, text)
    assert re.fullmatch(TEXT_PATTERN, "two\nlines\r\n\tand a tab")
    for text in ("a\nb", "a\tb", "a\u2028b"):
        assert not re.fullmatch(LINE_PATTERN, text)
    for text in ("\x00", "a\x1bb", "\x7f", "\x85", "\u202e", "\u2066", "\ufffe"):
        assert not re.fullmatch(LINE_PATTERN, text)
        assert not re.fullmatch(TEXT_PATTERN, text)


def test_document_kinds_and_statuses_are_enums(app: APIFlask) -> None:
    spec = _spec(app)
    schemas = spec["components"]["schemas"]
    summary = schemas["DocumentPageOut.DocumentSummaryOut"]["properties"]
    for model in (
        "DocumentOut",
        "DocumentPageOut.DocumentSummaryOut",
        "ExpiringOut.ExpiringQuoteOut",
    ):
        assert set(schemas[model]["properties"]["status"]["enum"]) == set(STATUSES), model
    assert set(summary["kind"]["enum"]) == set(KINDS)
    listing = spec["paths"]["/api/v1/documents"]["get"]["parameters"]
    by_name = {p["name"]: p["schema"] for p in listing}
    for name, values in (("status", STATUSES), ("kind", tuple(KINDS))):
        [choice] = [s for s in by_name[name]["anyOf"] if "enum" in s]
        assert set(choice["enum"]) == set(values)


def test_the_idempotency_key_header_is_described_on_every_keyed_post(app: APIFlask) -> None:
    spec = _spec(app)
    for path, operations in spec["paths"].items():
        post = operations.get("post")
        if post is None or "security" not in post:
            continue
        [header] = [p for p in post["parameters"] if p["name"] == "Idempotency-Key"]
        assert header["in"] == "header"
        assert header["schema"]["minLength"] == 1
        assert header["schema"]["maxLength"] == 255
        assert re.fullmatch(header["schema"]["pattern"], "3f6c2b9e-2a4f-4f7e-9a51-9d8f0c1e2b7a")
        assert not re.fullmatch(header["schema"]["pattern"], "clé")
        assert "printable ASCII" in header["description"]
        assert {"400", "409", "422"} <= set(post["responses"]), path
