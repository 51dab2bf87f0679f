"""Events from the signature provider: DocuSign Connect, authenticated by HMAC, not a key."""

from __future__ import annotations

from typing import Any

from apiflask import APIBlueprint
from flask import request

from app.signing.docusign import outcomes
from app.web.context import unit_of_work
from app.web.hygiene import small_body

bp = APIBlueprint("api_provider_webhooks", __name__, url_prefix="/api/v1", tag="Webhooks")


@bp.post("/webhooks/docusign")
@bp.doc(
    summary="DocuSign Connect events (JSON SIM), signed with X-DocuSign-Signature-N",
    description="Each event is applied once: a repeat is acknowledged and ignored, an event "
    "older than the envelope's state changes nothing, an unknown envelope is acknowledged.",
    responses={200: "Received", 401: "Not signed with a key", 422: "Not a Connect message"},
    security=[],
)
@small_body
def docusign_connect() -> dict[str, Any]:
    outcome = outcomes.receive_connect(
        unit_of_work(),
        request.get_data(cache=False),
        {name.lower(): value for name, value in request.headers.items()},
    )
    return {"received": True, "outcome": outcome}
