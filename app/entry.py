"""How the entry points (the app factory, the CLI and the worker) wire the job runner:
every background task by name, and runtimes built with them.

The domain never finds its tasks through the runner: each capability's `tasks` module is
registered here, and this registry is handed to the queues by `build_runtime`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from app.batches import tasks as batch_tasks
from app.billing import tasks as billing_tasks
from app.config import Settings
from app.documents import tasks as document_tasks
from app.idempotency import tasks as idempotency_tasks
from app.jobs.registry import TaskRegistry
from app.mail import tasks as mail_tasks
from app.renewals import tasks as renewal_tasks
from app.runtime import Runtime, build_runtime
from app.signing import tasks as signing_tasks

TASKS = TaskRegistry(
    tasks={
        "batches.make_row": batch_tasks.make_row,
        "batches.resume": batch_tasks.resume,
        "billing.deliver_event": billing_tasks.deliver_event,
        "billing.invoice_sweep": billing_tasks.invoice_sweep,
        "billing.retry_due": billing_tasks.retry_due,
        "documents.confirm_order": document_tasks.confirm_order,
        "documents.expire_quotes": document_tasks.expire_quotes,
        "documents.release_stale_numbers": document_tasks.release_stale_numbers,
        "documents.render": document_tasks.render,
        "documents.render_due": document_tasks.render_due,
        "idempotency.expire": idempotency_tasks.expire,
        "mail.deliver": mail_tasks.deliver,
        "mail.deliver_due": mail_tasks.deliver_due,
        "mail.remind_signers": mail_tasks.remind_signers,
        "mail.review_waiting": mail_tasks.review_waiting,
        "mail.warn_expiring_quotes": mail_tasks.warn_expiring_quotes,
        "renewals.sweep": renewal_tasks.sweep,
        "signing.send": signing_tasks.send,
        "signing.docusign_send": signing_tasks.docusign_send,
        "signing.docusign_retry_due": signing_tasks.docusign_retry_due,
        "signing.docusign_reconcile": signing_tasks.docusign_reconcile,
        "signing.seal": signing_tasks.seal,
        "signing.seal_due": signing_tasks.seal_due,
    },
    periodic=(
        "batches.resume",
        "billing.invoice_sweep",
        "billing.retry_due",
        "documents.release_stale_numbers",
        "documents.expire_quotes",
        "documents.render_due",
        "idempotency.expire",
        "mail.deliver_due",
        "mail.remind_signers",
        "mail.review_waiting",
        "mail.warn_expiring_quotes",
        "renewals.sweep",
        "signing.docusign_retry_due",
        "signing.docusign_reconcile",
        "signing.seal_due",
    ),
)


def runtime_for(settings: Settings) -> Runtime:
    """A runtime whose job queue runs every registered task."""
    return build_runtime(settings, tasks=TASKS)


def run(runtime: Runtime, task: str, kwargs: dict[str, Any], request_id: str | None = None) -> Any:
    """Run one registered task here and now, as a worker would (for sweeps and the tests)."""
    return TASKS.run(runtime, task, kwargs, request_id)


@contextmanager
def opened_runtime() -> Iterator[Runtime]:
    """A runtime from the environment's settings for one command, closed after it."""
    runtime = runtime_for(Settings())
    try:
        yield runtime
    finally:
        runtime.close()
