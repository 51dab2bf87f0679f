"""Registering the endpoints that receive invoicing events."""

from __future__ import annotations

from typing import Any

from apiflask import APIBlueprint

from app.billing import services as billing
from app.users import scopes
from app.web.api.auth import auth, current_user
from app.web.context import unit_of_work
from app.web.schemas.webhooks import WebhookEndpointIn, WebhookEndpointOut

bp = APIBlueprint("api_webhooks", __name__, url_prefix="/api/v1", tag="Webhooks")


@bp.post("/webhook-endpoints")
@bp.auth_required(auth, roles=[scopes.WEBHOOKS])
@bp.input(WebhookEndpointIn)
@bp.output(WebhookEndpointOut, status_code=201)
@bp.doc(summary="Subscribe a URL to events; the signing secret is shown once", responses=[403])
def create(json_data: WebhookEndpointIn) -> tuple[dict[str, Any], int]:
    endpoint = billing.register_endpoint(
        unit_of_work(),
        url=str(json_data.url),
        events=list(json_data.events),
        description=json_data.description,
        actor=current_user(),
    )
    return {
        "id": endpoint.id,
        "url": endpoint.url,
        "events": endpoint.events,
        "secret": endpoint.secret,
    }, 201
