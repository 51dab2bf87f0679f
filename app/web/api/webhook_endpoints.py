"""Webhook endpoints for ERPs, CRMs and finance: subscribe, look after, replay."""

from __future__ import annotations

import uuid
from typing import Any

from apiflask import APIBlueprint

from app.billing import endpoints
from app.billing import services as billing
from app.billing.endpoints import EndpointHealth
from app.billing.models import WebhookDelivery
from app.errors import NotFound
from app.users import scopes
from app.web.api.auth import auth, current_user
from app.web.context import unit_of_work
from app.web.hygiene import small_body
from app.web.schemas.webhooks import (
    DeliveriesOut,
    DeliveriesQuery,
    EndpointsOut,
    ReplayIn,
    ReplayOut,
    RotateSecretIn,
    WebhookEndpointChange,
    WebhookEndpointIn,
    WebhookEndpointOut,
)

bp = APIBlueprint("api_webhooks", __name__, url_prefix="/api/v1", tag="Webhooks")


def health_out(item: EndpointHealth) -> dict[str, Any]:
    endpoint = item.endpoint
    return {
        "id": endpoint.id,
        "url": endpoint.url,
        "description": endpoint.description,
        "events": endpoint.events,
        "enabled": endpoint.enabled,
        "state": item.state,
        "disabled_reason": endpoint.disabled_reason,
        "delivered": item.delivered,
        "pending": item.pending,
        "failed": item.failed,
        "last_delivered_at": item.last_delivered_at,
        "oldest_pending_at": item.oldest_pending_at,
        "rotating_until": endpoint.previous_secret_expires_at if endpoint.previous_secret else None,
    }


def delivery_out(delivery: WebhookDelivery) -> dict[str, Any]:
    event = delivery.event
    return {
        "id": delivery.id,
        "event_id": event.id,
        "webhook_id": event.message_id,
        "event_type": event.event_type,
        "document_id": event.document_id,
        "event_at": event.created_at,
        "status": delivery.status,
        "attempts": [
            {
                "at": a.created_at,
                "status_code": a.status_code,
                "duration_ms": a.duration_ms,
                "response_excerpt": a.response_excerpt,
                "error": a.error,
            }
            for a in delivery.attempt_log
        ],
        "next_attempt_at": delivery.next_attempt_at,
        "delivered_at": delivery.delivered_at,
    }


@bp.post("/webhook-endpoints")
@bp.auth_required(auth, roles=[scopes.WEBHOOKS])
@bp.input(WebhookEndpointIn)
@bp.output(WebhookEndpointOut, status_code=201)
@bp.doc(summary="Subscribe a URL to events; the signing secret is shown once", responses=[403])
@small_body
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


@bp.get("/webhook-endpoints")
@bp.auth_required(auth, roles=[scopes.WEBHOOKS])
@bp.output(EndpointsOut)
@bp.doc(summary="Every endpoint with its health: delivered, waiting, failed, disabled")
def list_endpoints() -> dict[str, Any]:
    return {"endpoints": [health_out(item) for item in endpoints.health(unit_of_work())]}


@bp.patch("/webhook-endpoints/<uuid:endpoint_id>")
@bp.auth_required(auth, roles=[scopes.WEBHOOKS])
@bp.input(WebhookEndpointChange)
@bp.output(EndpointsOut)
@bp.doc(summary="Enable or disable an endpoint, or change its URL or events", responses=[404])
@small_body
def change(endpoint_id: uuid.UUID, json_data: WebhookEndpointChange) -> dict[str, Any]:
    endpoints.update_endpoint(
        unit_of_work(),
        endpoint_id,
        actor=current_user(),
        enabled=json_data.enabled,
        events=list(json_data.events) if json_data.events is not None else None,
        url=str(json_data.url) if json_data.url is not None else None,
    )
    return {
        "endpoints": [
            health_out(item)
            for item in endpoints.health(unit_of_work())
            if item.endpoint.id == endpoint_id
        ]
    }


@bp.post("/webhook-endpoints/<uuid:endpoint_id>/rotate-secret")
@bp.auth_required(auth, roles=[scopes.WEBHOOKS])
@bp.input(RotateSecretIn)
@bp.output(WebhookEndpointOut)
@bp.doc(
    summary="A new signing secret (shown once); the previous one keeps signing meanwhile",
    description="Every message carries both signatures until `keep_previous_hours` pass.",
    responses=[404],
)
@small_body
def rotate(endpoint_id: uuid.UUID, json_data: RotateSecretIn) -> dict[str, Any]:
    endpoint = endpoints.rotate_secret(
        unit_of_work(),
        endpoint_id,
        actor=current_user(),
        keep_previous_hours=json_data.keep_previous_hours,
    )
    return {
        "id": endpoint.id,
        "url": endpoint.url,
        "events": endpoint.events,
        "secret": endpoint.secret,
    }


@bp.get("/webhook-endpoints/<uuid:endpoint_id>/deliveries")
@bp.auth_required(auth, roles=[scopes.WEBHOOKS])
@bp.input(DeliveriesQuery, location="query")
@bp.output(DeliveriesOut)
@bp.doc(
    summary="The delivery log: each event, every attempt (time, status, duration, answer)",
    responses=[404],
)
def delivery_log(endpoint_id: uuid.UUID, query_data: DeliveriesQuery) -> dict[str, Any]:
    found = endpoints.deliveries(
        unit_of_work(), endpoint_id, status=query_data.status, before=query_data.before
    )
    return {"deliveries": [delivery_out(d) for d in found]}


@bp.post("/events/<event_ref>/replay")
@bp.auth_required(auth, roles=[scopes.WEBHOOKS])
@bp.input(ReplayIn)
@bp.output(ReplayOut, status_code=202)
@bp.doc(
    summary="Deliver an event again, with the same webhook-id",
    description="The event by its id or its webhook-id (`msg_…`). To one endpoint, or to "
    "every endpoint taking its type now. A receiver that deduplicates on webhook-id books "
    "nothing twice.",
    responses=[404, 409],
)
@small_body
def replay(event_ref: str, json_data: ReplayIn) -> tuple[dict[str, Any], int]:
    try:
        event_id = uuid.UUID(event_ref.removeprefix("msg_"))
    except ValueError as exc:
        raise NotFound(f"no event {event_ref}") from exc
    replayed = endpoints.replay(
        unit_of_work(), event_id, actor=current_user(), endpoint_id=json_data.endpoint_id
    )
    return {"deliveries": replayed}, 202
