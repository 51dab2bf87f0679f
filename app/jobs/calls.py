"""Answering from inside a job that a caller waits on."""

from __future__ import annotations

from typing import Any

from app.errors import DomainError


def answer(work: Any) -> dict[str, Any]:
    """Run the work inside a job; a domain error becomes an answer instead of a crash."""
    try:
        result: dict[str, Any] = work()
    except DomainError as exc:
        return {"error": exc.as_dict()}
    return result
