"""Readiness: can this process reach the database, the object store and the job broker?"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import func, select, text

from app.billing.models import PENDING, WebhookDelivery
from app.errors import DomainError

if TYPE_CHECKING:
    from app.runtime import Runtime


def readiness(runtime: Runtime) -> dict[str, str]:
    """Each part by name: "ok" (or what runs it), or what is wrong with it."""
    checks: dict[str, str] = {}
    try:
        with runtime.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"unreachable: {type(exc).__name__}"
    try:
        runtime.storage.check()
        checks["storage"] = "ok"
    except DomainError as exc:
        checks["storage"] = exc.detail
    try:
        checks["jobs"] = runtime.jobs.check()
    except DomainError as exc:
        checks["jobs"] = exc.detail
    return checks


def pending_deliveries(runtime: Runtime) -> int:
    uow = runtime.unit_of_work()
    with uow:
        count = uow.session.scalar(
            select(func.count())
            .select_from(WebhookDelivery)
            .where(WebhookDelivery.status == PENDING)
        )
    return count or 0
