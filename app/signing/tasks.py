"""Sending for signature as a job, so it runs on a worker in the production shape."""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING, Any

from app.jobs.calls import answer
from app.signing import completion, sending
from app.signing.docusign import lifecycle, outcomes
from app.signing.long_term import SealingUnavailable
from app.signing.sending import Schedule, SignerRequest
from app.users.services import acting_user

if TYPE_CHECKING:
    from app.uow import TaskRuntime

log = logging.getLogger(__name__)


def send(
    runtime: TaskRuntime,
    document_id: str,
    signers: list[dict[str, Any]],
    actor_id: str,
    carbon_copies: list[dict[str, Any]] | None = None,
    schedule: dict[str, Any] | None = None,
    via: str = "page",
) -> dict[str, Any]:
    def work() -> dict[str, Any]:
        links = sending.send_here(
            runtime.unit_of_work(),
            uuid.UUID(document_id),
            signers=[SignerRequest(**s) for s in signers],
            carbon_copies=[SignerRequest(**c) for c in carbon_copies or []],
            schedule=Schedule(**(schedule or {})),
            actor=acting_user(runtime, actor_id),
            via=via,
        )
        return {
            "links": [
                {
                    "signer_id": str(link.signer_id),
                    "name": link.name,
                    "email": link.email,
                    "routing_order": link.routing_order,
                    "url": link.url,
                    "expires_at": link.expires_at.isoformat(),
                }
                for link in links
            ]
        }

    return answer(work)


def docusign_send(runtime: TaskRuntime, envelope_id: str) -> str:
    return lifecycle.attempt_send(runtime.unit_of_work(), uuid.UUID(envelope_id))


def docusign_retry_due(runtime: TaskRuntime) -> int:
    """Try again the DocuSign sends whose backoff (or whose lost claim) has run out."""
    if runtime.settings.signing != "docusign":
        return 0
    due = lifecycle.due_sends(runtime.unit_of_work())
    for envelope_id in due:
        lifecycle.attempt_send(runtime.unit_of_work(), envelope_id)
    return len(due)


def docusign_reconcile(runtime: TaskRuntime) -> int:
    if runtime.settings.signing != "docusign":
        return 0
    return outcomes.reconcile(runtime.unit_of_work())


def seal(runtime: TaskRuntime, envelope_id: str) -> bool:
    """Seal a fully signed envelope; SealingUnavailable (retryable) while TSA or OCSP is down."""
    return completion.seal_waiting(runtime.unit_of_work(), uuid.UUID(envelope_id))


def seal_due(runtime: TaskRuntime) -> int:
    """Try again the seals that failed; a seal still failing waits for the next sweep."""
    sealed = 0
    for envelope_id in completion.envelopes_to_seal(runtime.unit_of_work()):
        try:
            sealed += completion.seal_waiting(runtime.unit_of_work(), envelope_id)
        except SealingUnavailable as exc:
            log.warning("envelope %s still cannot be sealed: %s", envelope_id, exc.detail)
    return sealed
