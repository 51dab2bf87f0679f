"""Sending for signature as a job, so it runs on a worker in the production shape."""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING, Any

from app.jobs.calls import acting_user, answer
from app.signing import services
from app.signing.docusign import lifecycle
from app.signing.long_term import SealingUnavailable
from app.signing.services import Schedule, SignerRequest

if TYPE_CHECKING:
    from app.runtime import Runtime

log = logging.getLogger(__name__)


def send(
    runtime: Runtime,
    document_id: str,
    signers: list[dict[str, Any]],
    actor_id: str,
    carbon_copies: list[dict[str, Any]] | None = None,
    schedule: dict[str, Any] | None = None,
    via: str = "page",
) -> dict[str, Any]:
    def work() -> dict[str, Any]:
        links = services.send_here(
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


def docusign_send(runtime: Runtime, envelope_id: str) -> str:
    return lifecycle.attempt_send(runtime.unit_of_work(), uuid.UUID(envelope_id))


def docusign_retry_due(runtime: Runtime) -> int:
    """Try again the DocuSign sends whose backoff (or whose lost claim) has run out."""
    if runtime.settings.signing != "docusign":
        return 0
    due = lifecycle.due_sends(runtime.unit_of_work())
    for envelope_id in due:
        lifecycle.attempt_send(runtime.unit_of_work(), envelope_id)
    return len(due)


def docusign_reconcile(runtime: Runtime) -> int:
    if runtime.settings.signing != "docusign":
        return 0
    return lifecycle.reconcile(runtime.unit_of_work())


def seal(runtime: Runtime, envelope_id: str) -> bool:
    """Seal a fully signed envelope; SealingUnavailable (retryable) while TSA or OCSP is down."""
    return services.seal_waiting(runtime.unit_of_work(), uuid.UUID(envelope_id))


def seal_due(runtime: Runtime) -> int:
    """Try again the seals that failed; a seal still failing waits for the next sweep."""
    sealed = 0
    for envelope_id in services.envelopes_to_seal(runtime.unit_of_work()):
        try:
            sealed += services.seal_waiting(runtime.unit_of_work(), envelope_id)
        except SealingUnavailable as exc:
            log.warning("envelope %s still cannot be sealed: %s", envelope_id, exc.detail)
    return sealed
