from __future__ import annotations

from typing import Any, Protocol


class JobQueue(Protocol):
    def enqueue(self, task: str, **kwargs: Any) -> None:
        """Run the named task later with these (id-only, JSON-able) arguments."""
        ...

    def shutdown(self) -> None: ...
