"""Mail jobs: deliver one message; sweep the due ones; the reminder sweeps."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from app.mail import reminders, services

if TYPE_CHECKING:
    from app.uow import TaskRuntime


def deliver(runtime: TaskRuntime, message_id: str) -> str:
    return services.deliver(runtime.unit_of_work(), uuid.UUID(message_id))


def deliver_due(runtime: TaskRuntime) -> dict[str, Any]:
    return services.deliver_due(runtime.unit_of_work())


def remind_signers(runtime: TaskRuntime) -> int:

    return reminders.remind_signers(runtime.unit_of_work())


def warn_expiring_quotes(runtime: TaskRuntime) -> int:

    return reminders.warn_expiring_quotes(runtime.unit_of_work())


def review_waiting(runtime: TaskRuntime) -> int:

    return reminders.review_waiting(runtime.unit_of_work())
