"""Rendering as jobs: in the production shape Celery workers assemble, render and store,
while web nodes wait for the answer. Results (and domain errors) travel as plain JSON."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from app import counters
from app.documents import order_confirmation, services, validity
from app.jobs.calls import answer
from app.users.services import acting_user

if TYPE_CHECKING:
    from app.uow import TaskRuntime


def create(
    runtime: TaskRuntime,
    template: str,
    data: dict[str, Any],
    external_ref: str | None,
    actor_id: str,
    parent: dict[str, str] | None = None,
    via: str = "page",
) -> dict[str, Any]:
    return answer(
        lambda: {
            "document_id": str(
                services.render_new_document(
                    runtime.unit_of_work(),
                    template=template,
                    data=data,
                    external_ref=external_ref,
                    actor=acting_user(runtime, actor_id),
                    parent=services.Parent.from_json(parent),
                    via=via,
                )
            )
        }
    )


def expire_quotes(runtime: TaskRuntime) -> int:
    return validity.expire_quotes(runtime.unit_of_work())


def release_stale_numbers(runtime: TaskRuntime) -> int:
    """Numbers reserved by creations that died (a killed worker) go back to the sequence."""
    older_than = timedelta(seconds=2 * runtime.settings.render_timeout_seconds + 60)
    return counters.release_stale(runtime.unit_of_work(), older_than=older_than)


def regenerate(runtime: TaskRuntime, document_id: str, actor_id: str) -> dict[str, Any]:
    return answer(
        lambda: {
            "version": services.render_new_version(
                runtime.unit_of_work(), uuid.UUID(document_id), actor=acting_user(runtime, actor_id)
            )
        }
    )


def revise(
    runtime: TaskRuntime, document_id: str, data: dict[str, Any], actor_id: str
) -> dict[str, Any]:
    return answer(
        lambda: {
            "version": services.render_revision(
                runtime.unit_of_work(),
                uuid.UUID(document_id),
                data=data,
                actor=acting_user(runtime, actor_id),
            )
        }
    )


def confirm_order(runtime: TaskRuntime, document_id: str) -> bool:
    return order_confirmation.confirm_order(runtime.unit_of_work(), uuid.UUID(document_id))
