"""Every background task by name. A task takes the runtime and plain ids, and opens its
own unit of work, so the in-process queue and a worker process run the same code."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from app.observability.context import request_id_scope

if TYPE_CHECKING:
    from app.runtime import Runtime

Task = Callable[..., Any]


def tasks() -> dict[str, Task]:
    from app.batches import tasks as batch_tasks
    from app.billing import tasks as billing_tasks
    from app.documents import tasks as document_tasks
    from app.idempotency import tasks as idempotency_tasks
    from app.mail import tasks as mail_tasks
    from app.renewals import tasks as renewal_tasks
    from app.signing import tasks as signing_tasks

    return {
        "batches.make_row": batch_tasks.make_row,
        "batches.resume": batch_tasks.resume,
        "billing.deliver_event": billing_tasks.deliver_event,
        "billing.invoice_sweep": billing_tasks.invoice_sweep,
        "billing.retry_due": billing_tasks.retry_due,
        "documents.confirm_order": document_tasks.confirm_order,
        "documents.expire_quotes": document_tasks.expire_quotes,
        "documents.render": document_tasks.render,
        "documents.release_stale_numbers": document_tasks.release_stale_numbers,
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
    }


PERIODIC = (
    "batches.resume",
    "billing.invoice_sweep",
    "billing.retry_due",
    "documents.release_stale_numbers",
    "documents.expire_quotes",
    "idempotency.expire",
    "mail.deliver_due",
    "mail.remind_signers",
    "mail.review_waiting",
    "mail.warn_expiring_quotes",
    "renewals.sweep",
    "signing.docusign_retry_due",
    "signing.docusign_reconcile",
    "signing.seal_due",
)


def run(runtime: Runtime, task: str, kwargs: dict[str, Any], request_id: str | None = None) -> Any:
    with request_id_scope(request_id):
        return tasks()[task](runtime, **kwargs)
