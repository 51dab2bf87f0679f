"""The tasks a job runner can run, by name.

The registry is built by the entry points (`app/entry.py`) and handed to the queues, so
this package imports no domain module: a task takes the runtime it is given and plain
ids, and opens its own unit of work, so the in-process queue and a worker process run
the same code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from app.observability.context import request_id_scope

Task = Callable[..., Any]


@dataclass(frozen=True)
class TaskRegistry:
    tasks: Mapping[str, Task]
    periodic: tuple[str, ...] = ()
    """The sweeps run on a timer (by Celery beat, or the in-process loop)."""

    def __post_init__(self) -> None:
        unknown = [task for task in self.periodic if task not in self.tasks]
        if unknown:
            raise KeyError(f"periodic tasks not registered: {', '.join(unknown)}")

    def check(self, task: str) -> None:
        """Refuse a task no one registered before it is queued, not when a worker takes it."""
        if task not in self.tasks:
            raise KeyError(f"unknown task {task!r}")

    def run(
        self, runtime: Any, task: str, kwargs: dict[str, Any], request_id: str | None = None
    ) -> Any:
        with request_id_scope(request_id):
            return self.tasks[task](runtime, **kwargs)
