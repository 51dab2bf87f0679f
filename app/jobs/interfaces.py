from __future__ import annotations

from typing import Any, Protocol


class JobQueue(Protocol):
    def enqueue(self, task: str, kwargs: dict[str, Any], *, request_id: str | None) -> None:
        """Run the named task later with these (id-only, JSON-able) arguments; the request
        id follows the job into its logs."""
        ...

    def call(
        self, task: str, kwargs: dict[str, Any], *, request_id: str | None, timeout: float
    ) -> Any:
        """Run the task now, where jobs run, and return its (JSON-able) result."""
        ...

    def check(self) -> str:
        """Say what runs the jobs; raise `Unavailable` when it cannot be reached."""
        ...

    def shutdown(self) -> None: ...
