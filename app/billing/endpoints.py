"""Looking after webhook endpoints (admin, finance): their health, their delivery log,
enabling and disabling, rotating secrets, and replaying any event."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from app.audit import services as audit
from app.billing.models import (
    DELIVERED,
    FAILED,
    PENDING,
    OutboxEvent,
    WebhookDelivery,
    WebhookEndpoint,
)
from app.billing.services import EVENT_TYPES, MANAGING_ROLES, check_endpoint_url
from app.billing.signatures import new_secret
from app.db import utcnow
from app.errors import Conflict, FieldError, Forbidden, InvalidInput, NotFound
from app.uow import UnitOfWork
from app.users.models import User

DELIVERY_PAGE = 50


@dataclass(frozen=True)
class EndpointHealth:
    endpoint: WebhookEndpoint
    delivered: int
    pending: int
    failed: int
    last_delivered_at: datetime | None
    oldest_pending_at: datetime | None
    retrying: int
    """Waiting deliveries that have failed at least once."""

    @property
    def state(self) -> str:
        if not self.endpoint.enabled:
            return "disabled"
        return "failing" if self.retrying else "healthy"


def _check(actor: User) -> None:
    if actor.role not in MANAGING_ROLES:
        raise Forbidden("only admin and finance users manage webhook endpoints")


def _endpoint(uow: UnitOfWork, endpoint_id: uuid.UUID) -> WebhookEndpoint:
    endpoint = uow.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        raise NotFound(f"no webhook endpoint {endpoint_id}")
    return endpoint


def health(uow: UnitOfWork) -> list[EndpointHealth]:
    with uow:
        counts: dict[tuple[uuid.UUID, str], int] = {
            (endpoint_id, status): int(n)
            for endpoint_id, status, n in uow.session.execute(
                select(WebhookDelivery.endpoint_id, WebhookDelivery.status, func.count()).group_by(
                    WebhookDelivery.endpoint_id, WebhookDelivery.status
                )
            ).all()
        }
        last = dict(
            uow.session.execute(
                select(
                    WebhookDelivery.endpoint_id, func.max(WebhookDelivery.delivered_at)
                ).group_by(WebhookDelivery.endpoint_id)
            ).all()
        )
        retrying = dict(
            uow.session.execute(
                select(WebhookDelivery.endpoint_id, func.count())
                .where(WebhookDelivery.status == PENDING, WebhookDelivery.attempts > 0)
                .group_by(WebhookDelivery.endpoint_id)
            ).all()
        )
        oldest = dict(
            uow.session.execute(
                select(WebhookDelivery.endpoint_id, func.min(OutboxEvent.created_at))
                .join(OutboxEvent, OutboxEvent.id == WebhookDelivery.event_id)
                .where(WebhookDelivery.status == PENDING)
                .group_by(WebhookDelivery.endpoint_id)
            ).all()
        )
        return [
            EndpointHealth(
                endpoint,
                counts.get((endpoint.id, DELIVERED), 0),
                counts.get((endpoint.id, PENDING), 0),
                counts.get((endpoint.id, FAILED), 0),
                last.get(endpoint.id),
                oldest.get(endpoint.id),
                int(retrying.get(endpoint.id, 0)),
            )
            for endpoint in uow.session.scalars(
                select(WebhookEndpoint).order_by(WebhookEndpoint.created_at)
            )
        ]


def update_endpoint(
    uow: UnitOfWork,
    endpoint_id: uuid.UUID,
    *,
    actor: User,
    enabled: bool | None = None,
    events: list[str] | None = None,
    url: str | None = None,
) -> WebhookEndpoint:
    """Change what an endpoint receives or where; enabling it again lets its waiting
    deliveries go, in order."""
    _check(actor)
    if events is not None:
        unknown = [e for e in events if e not in EVENT_TYPES]
        if unknown or not events:
            raise InvalidInput(
                "unknown event types" if unknown else "subscribe to at least one event type",
                [FieldError("/events", ", ".join(unknown) or "empty")],
            )
    if url is not None:
        with uow:
            subject = _endpoint(uow, endpoint_id)
        check_endpoint_url(uow, url, actor=actor, subject=subject)
    with uow:
        endpoint = _endpoint(uow, endpoint_id)
        changes: dict[str, object] = {}
        if events is not None:
            endpoint.events = sorted(set(events))
            changes["events"] = endpoint.events
        if url is not None:
            endpoint.url = url
            changes["url"] = url
        if enabled is not None and enabled != endpoint.enabled:
            endpoint.enabled = enabled
            changes["enabled"] = enabled
            if enabled:
                endpoint.disabled_at, endpoint.disabled_reason = None, ""
                now = utcnow()
                for delivery in uow.session.scalars(
                    select(WebhookDelivery).where(
                        WebhookDelivery.endpoint_id == endpoint.id,
                        WebhookDelivery.status == PENDING,
                    )
                ):
                    delivery.next_attempt_at = now
            else:
                endpoint.disabled_at, endpoint.disabled_reason = utcnow(), f"by {actor.email}"
        audit.record_event(
            uow.session,
            tag="webhook_endpoint.changed",
            subject=endpoint,
            actor=actor,
            data=changes,
        )
        uow.enqueue("billing.retry_due")
        uow.commit()
        return endpoint


def rotate_secret(
    uow: UnitOfWork, endpoint_id: uuid.UUID, *, actor: User, keep_previous_hours: float
) -> WebhookEndpoint:
    """A new secret; the old one keeps signing beside it for the hours given, so the
    receiver can switch over without a gap. The new secret is shown once."""
    _check(actor)
    if not 0 <= keep_previous_hours <= 24 * 14:
        raise InvalidInput(
            "keep the previous secret 0 to 336 hours",
            [FieldError("/keep_previous_hours", "0 to 336")],
        )
    with uow:
        endpoint = _endpoint(uow, endpoint_id)
        endpoint.previous_secret = endpoint.secret
        endpoint.previous_secret_expires_at = utcnow() + timedelta(hours=keep_previous_hours)
        endpoint.secret = new_secret()
        audit.record_event(
            uow.session,
            tag="webhook_endpoint.secret_rotated",
            subject=endpoint,
            actor=actor,
            data={"previous_until": endpoint.previous_secret_expires_at.isoformat()},
        )
        uow.commit()
        return endpoint


def deliveries(
    uow: UnitOfWork, endpoint_id: uuid.UUID, *, status: str | None, before: datetime | None
) -> list[WebhookDelivery]:
    """An endpoint's deliveries, newest event first, each with every attempt."""
    with uow:
        _endpoint(uow, endpoint_id)
        query = (
            select(WebhookDelivery)
            .join(OutboxEvent, OutboxEvent.id == WebhookDelivery.event_id)
            .where(WebhookDelivery.endpoint_id == endpoint_id)
        )
        if status:
            query = query.where(WebhookDelivery.status == status)
        if before:
            query = query.where(OutboxEvent.created_at < before)
        return list(
            uow.session.scalars(query.order_by(OutboxEvent.created_at.desc()).limit(DELIVERY_PAGE))
        )


def replay(
    uow: UnitOfWork, event_id: uuid.UUID, *, actor: User, endpoint_id: uuid.UUID | None = None
) -> list[uuid.UUID]:
    """Deliver an event again, with the same `webhook-id` (so a receiver that has it books
    nothing twice), to one endpoint or to every endpoint subscribed to its type now."""
    _check(actor)
    with uow:
        event = uow.session.get(OutboxEvent, event_id)
        if event is None:
            raise NotFound(f"no event {event_id}")
        targets = (
            [_endpoint(uow, endpoint_id)]
            if endpoint_id
            else [
                e
                for e in uow.session.scalars(select(WebhookEndpoint))
                if event.event_type in e.events
            ]
        )
        if not targets:
            raise Conflict(f"no endpoint receives {event.event_type} events", code="no_receiver")
        now, replayed = utcnow(), []
        for endpoint in targets:
            delivery = uow.session.scalar(
                select(WebhookDelivery).where(
                    WebhookDelivery.event_id == event.id,
                    WebhookDelivery.endpoint_id == endpoint.id,
                )
            )
            if delivery is None:
                delivery = WebhookDelivery(event_id=event.id, endpoint_id=endpoint.id)
                uow.session.add(delivery)
            delivery.status, delivery.next_attempt_at = PENDING, now
            delivery.attempts, delivery.retry_until = 0, None
            uow.session.flush()
            replayed.append(delivery.id)
        audit.record_event(
            uow.session,
            tag="webhook_event.replayed",
            subject=event,
            actor=actor,
            data={"event": event.message_id, "endpoints": [str(e.id) for e in targets]},
        )
        uow.enqueue("billing.deliver_event", event_id=str(event.id))
        uow.commit()
        return replayed
