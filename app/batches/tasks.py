"""Batch rows as jobs, and the periodic resume of rows a dead worker left behind."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from app.batches import services

if TYPE_CHECKING:
    from app.uow import TaskRuntime


def make_row(runtime: TaskRuntime, row_id: str) -> str | None:
    return services.make_row(runtime.unit_of_work(), uuid.UUID(row_id))


def resume(runtime: TaskRuntime) -> int:
    return services.resume(runtime.unit_of_work())
