"""Pydantic validation errors as field errors with JSON pointers into the request body."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from app.errors import FieldError


def json_pointer(loc: tuple[Any, ...], body: Any) -> str:
    """Turn a Pydantic error location into a JSON pointer into the request body.

    Locations carry union tags (`account`, `new`, `name`) that are not in the body; a part
    is kept when it indexes into the body, or when it is the last part (a missing field).
    """
    parts: list[str] = []
    current = body
    for index, part in enumerate(loc):
        last = index == len(loc) - 1
        in_dict = isinstance(current, dict) and part in current
        in_list = isinstance(current, list) and isinstance(part, int) and part < len(current)
        if in_dict or in_list:
            current = current[part]
        elif last and isinstance(current, dict) and isinstance(part, str):
            current = None
        else:
            continue
        parts.append(str(part).replace("~", "~0").replace("/", "~1"))
    return "/" + "/".join(parts) if parts else ""


def field_errors(exc: ValidationError, body: Any, prefix: tuple[Any, ...] = ()) -> list[FieldError]:
    return [
        FieldError(
            json_pointer(prefix + tuple(e["loc"]), body),
            e["msg"],
            e["type"],
            {key: str(value) for key, value in e.get("ctx", {}).items()},
        )
        for e in exc.errors()
    ]
