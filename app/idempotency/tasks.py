"""Forgetting idempotency keys past their 24 hours, as a periodic job."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.idempotency import store

if TYPE_CHECKING:
    from app.uow import TaskRuntime


def expire(runtime: TaskRuntime) -> int:
    return store.expire(runtime.unit_of_work())
