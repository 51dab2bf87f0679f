"""Calling a job and waiting for its answer, wherever jobs run (inline, or on a worker)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.errors import DomainError
from app.observability.context import current_request_id
from app.uow import UnitOfWork
from app.users import services as users
from app.users.models import User

if TYPE_CHECKING:
    from app.runtime import Runtime


def call_job(uow: UnitOfWork, task: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Run `task` where the configuration says and return its answer; a domain error raised
    there (it travels as JSON) is raised here again."""
    result: dict[str, Any] = uow.jobs.call(
        task,
        kwargs,
        request_id=current_request_id(),
        timeout=uow.settings.render_timeout_seconds,
    )
    if "error" in result:
        raise DomainError.from_dict(result["error"])
    return result


def acting_user(runtime: Runtime, user_id: str) -> User:
    """The user a job acts for: jobs carry ids, never objects."""
    uow = runtime.unit_of_work()
    with uow:
        return users.user_by_id(uow.session, user_id)


def answer(work: Any) -> dict[str, Any]:
    """Run the work inside a job; a domain error becomes an answer instead of a crash."""
    try:
        result: dict[str, Any] = work()
    except DomainError as exc:
        return {"error": exc.as_dict()}
    return result
