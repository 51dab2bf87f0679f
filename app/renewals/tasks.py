"""The renewals sweep as a periodic job."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.renewals import services

if TYPE_CHECKING:
    from app.uow import TaskRuntime


def sweep(runtime: TaskRuntime) -> dict[str, Any]:
    result = services.sweep(runtime.unit_of_work())
    return {
        "renewals": [str(i) for i in result.renewals],
        "redated": [str(i) for i in result.redated],
        "withdrawn": [str(i) for i in result.withdrawn],
        "notes": result.notes,
        "reminders": result.reminders,
        "problems": result.problems,
    }
