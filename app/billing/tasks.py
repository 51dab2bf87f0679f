"""Background tasks of billing: deliver one event now, sweep every delivery that is due, and
the daily invoicing sweep."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from app.billing import invoicing
from app.billing.delivery import attempt, due_delivery_ids
from app.billing.models import PENDING, WebhookDelivery
from app.db import utcnow

if TYPE_CHECKING:
    from app.uow import TaskRuntime


def deliver_event(runtime: TaskRuntime, event_id: str) -> None:
    uow = runtime.unit_of_work()
    with uow:
        ids = list(
            uow.session.scalars(
                select(WebhookDelivery.id).where(
                    WebhookDelivery.event_id == uuid.UUID(event_id),
                    WebhookDelivery.status == PENDING,
                )
            )
        )
    for delivery_id in ids:
        attempt(uow, delivery_id)


def retry_due(runtime: TaskRuntime, now: datetime | None = None) -> int:
    """Attempt every delivery whose retry time has come; `now` lets a sweep look ahead."""
    uow = runtime.unit_of_work()
    now = now or utcnow()
    ids = due_delivery_ids(uow, now=now)
    for delivery_id in ids:
        attempt(uow, delivery_id, now=now)
    return len(ids)


def invoice_sweep(runtime: TaskRuntime) -> dict[str, Any]:
    """The invoices due today, and the held ones whose PO has come."""
    result = invoicing.sweep(runtime.unit_of_work())
    return {
        "issued": [str(i) for i in result.issued],
        "released": [str(i) for i in result.released],
        "problems": result.problems,
    }
