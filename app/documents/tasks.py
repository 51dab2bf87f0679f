"""Documents' background tasks: rendering a recorded version (after a create, revise or
regenerate committed), and the sweeps. Tasks take plain ids and open their own units of
work, so the in-process queue and a Celery worker run the same code."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import TYPE_CHECKING

from app import counters
from app.documents import order_confirmation, render_job, validity

if TYPE_CHECKING:
    from app.uow import TaskRuntime


def render(runtime: TaskRuntime, document_id: str, version: int) -> str:
    return render_job.render_version(runtime.unit_of_work(), uuid.UUID(document_id), version)


def render_due(runtime: TaskRuntime, older_than_seconds: float | None = None) -> int:
    """Renders whose job never came; by default those older than twice the render timeout."""
    seconds = (
        2 * runtime.settings.render_timeout_seconds
        if older_than_seconds is None
        else older_than_seconds
    )
    return render_job.render_due(runtime.unit_of_work(), older_than=timedelta(seconds=seconds))


def expire_quotes(runtime: TaskRuntime) -> int:
    return validity.expire_quotes(runtime.unit_of_work())


def release_stale_numbers(runtime: TaskRuntime) -> int:
    """Numbers reserved by creations that died (a killed worker) go back to the sequence."""
    older_than = timedelta(seconds=2 * runtime.settings.render_timeout_seconds + 60)
    return counters.release_stale(runtime.unit_of_work(), older_than=older_than)


def confirm_order(runtime: TaskRuntime, document_id: str) -> bool:
    return order_confirmation.confirm_order(runtime.unit_of_work(), uuid.UUID(document_id))
