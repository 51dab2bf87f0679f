"""Calling a job and waiting for its answer, and answering from inside a job."""

from __future__ import annotations

from typing import Any, Protocol

from app.errors import DomainError


class _CallsJobs(Protocol):
    def call_job(self, task: str, kwargs: dict[str, Any]) -> dict[str, Any]: ...


def call_job(uow: _CallsJobs, task: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    """`uow.call_job`, for the callers that still import it from here."""
    return uow.call_job(task, kwargs)


def answer(work: Any) -> dict[str, Any]:
    """Run the work inside a job; a domain error becomes an answer instead of a crash."""
    try:
        result: dict[str, Any] = work()
    except DomainError as exc:
        return {"error": exc.as_dict()}
    return result
