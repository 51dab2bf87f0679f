"""Where events are delivered: signed POSTs, retried with backoff until a 2xx.

A delivery is claimed by pushing its `next_attempt_at` a lease into the future in a short
transaction, so two workers never post the same delivery at once and a worker that dies
mid-post leaves it to be retried when the lease runs out (at least once; receivers
deduplicate on `webhook-id`). Per document, an endpoint gets events in the order they
happened: a delivery waits while an earlier one for the same endpoint and document is
still pending. A delivery still failing after the retry window (3 days) fails, and so does
one answered `410 Gone`: either disables the endpoint and tells its owner.

Every POST passes the outbound guard (app/outbound): an address it refuses fails the
delivery at once and disables the endpoint, with the reason and no answer in the log.
"""

from __future__ import annotations

import json
import logging
import random
import time
import uuid
from datetime import datetime, timedelta

import httpx
from sqlalchemy import and_, exists, select, update
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from app.billing.models import (
    DELIVERED,
    FAILED,
    PENDING,
    OutboxEvent,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from app.billing.signatures import signature_header
from app.db import utcnow
from app.mail import events as mail
from app.notifications.services import notify_once
from app.observability.metrics import WEBHOOK_ATTEMPTS
from app.outbound import Guard, OutboundRefused, guard_for
from app.outbound.transports import guarded_client
from app.uow import UnitOfWork

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=6)
EXCERPT_CHARS = 500
GONE = 410


def backoff(attempts: int) -> timedelta:
    """Exponential from 10 s, capped at 6 h, with up to 20 % jitter."""
    base = min(timedelta(seconds=10 * 2 ** (attempts - 1)), MAX_BACKOFF)
    return base * (1 + random.random() * 0.2)  # noqa: S311 - jitter, not security


def _no_earlier_pending() -> ColumnElement[bool]:
    """SQL: no delivery to the same endpoint of an earlier event about the same document
    is still pending (events without a document are not ordered)."""
    earlier, earlier_event, this_event = (
        aliased(WebhookDelivery),
        aliased(OutboxEvent),
        aliased(OutboxEvent),
    )
    return ~exists(
        select(earlier.id)
        .join(earlier_event, earlier_event.id == earlier.event_id)
        .join(this_event, this_event.id == WebhookDelivery.event_id)
        .where(
            earlier.endpoint_id == WebhookDelivery.endpoint_id,
            earlier.status == PENDING,
            earlier.id != WebhookDelivery.id,
            this_event.document_id.is_not(None),
            earlier_event.document_id == this_event.document_id,
            (earlier_event.created_at < this_event.created_at)
            | and_(
                earlier_event.created_at == this_event.created_at,
                earlier_event.id < this_event.id,
            ),
        )
    )


def _endpoint_enabled() -> ColumnElement[bool]:
    return exists(
        select(WebhookEndpoint.id).where(
            WebhookEndpoint.id == WebhookDelivery.endpoint_id, WebhookEndpoint.enabled.is_(True)
        )
    )


def due_delivery_ids(uow: UnitOfWork, *, now: datetime, limit: int = 100) -> list[uuid.UUID]:
    with uow:
        return list(
            uow.session.scalars(
                select(WebhookDelivery.id)
                .where(
                    WebhookDelivery.status == PENDING,
                    WebhookDelivery.next_attempt_at <= now,
                    _endpoint_enabled(),
                    _no_earlier_pending(),
                )
                .order_by(WebhookDelivery.next_attempt_at)
                .limit(limit)
            )
        )


FAILING_AFTER_ATTEMPTS = 5
"""After this many failed attempts at one delivery (some five minutes of backoff) finance
hears that the endpoint is failing, long before the retry window disables it."""


def _claim(uow: UnitOfWork, delivery_id: uuid.UUID, now: datetime) -> bool:
    lease = timedelta(seconds=uow.settings.webhook_lease_seconds)
    with uow:
        claimed = uow.session.execute(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.id == delivery_id,
                WebhookDelivery.status == PENDING,
                WebhookDelivery.next_attempt_at <= now,
                _endpoint_enabled(),
                _no_earlier_pending(),
            )
            .values(next_attempt_at=now + lease)
            .returning(WebhookDelivery.id)
            .execution_options(synchronize_session=False)
        ).scalar_one_or_none()
        uow.commit()
    return claimed is not None


def disable_endpoint(uow: UnitOfWork, endpoint: WebhookEndpoint, reason: str) -> None:
    """Stop delivering to an endpoint and tell its owner on their pages (in the caller's
    transaction); its pending deliveries wait until it is enabled again."""
    endpoint.enabled = False
    endpoint.disabled_at = utcnow()
    endpoint.disabled_reason = reason
    notify_once(
        uow.session,
        user_id=endpoint.created_by_id,
        key=f"webhook-disabled:{endpoint.id}:{endpoint.disabled_at.isoformat()}",
        message=f"Webhook endpoint {endpoint.url} was disabled: {reason}. Fix it, enable it "
        "again and replay what it missed.",
    )
    mail.webhook_disabled(uow, endpoint, reason)
    log.warning("webhook endpoint %s disabled: %s", endpoint.url, reason)


def _next_in_order(uow: UnitOfWork, delivery: WebhookDelivery) -> uuid.UUID | None:
    """The event of the next pending delivery to the same endpoint about the same document."""
    if delivery.event.document_id is None:
        return None
    return uow.session.scalar(
        select(WebhookDelivery.event_id)
        .join(OutboxEvent, OutboxEvent.id == WebhookDelivery.event_id)
        .where(
            WebhookDelivery.endpoint_id == delivery.endpoint_id,
            WebhookDelivery.status == PENDING,
            OutboxEvent.document_id == delivery.event.document_id,
        )
        .order_by(OutboxEvent.created_at, OutboxEvent.id)
        .limit(1)
    )


def _post(
    guard: Guard, url: str, body: bytes, headers: dict[str, str], timeout: float
) -> tuple[int | None, str, str | None, str | None]:
    """POST once through the outbound guard: (status, excerpt, error, refusal). A redirect
    is an answer like any other, not followed; of the body only the first characters are
    read. A refused address is never connected to, so it leaves no answer to show."""
    try:
        guard.check_url(url)
        with (
            guarded_client(guard, timeout=timeout) as client,
            client.stream("POST", url, content=body, headers=headers) as response,
        ):
            return response.status_code, _excerpt(response), None, None
    except OutboundRefused as exc:
        return None, "", f"refused: {exc.reason}", exc.reason
    except httpx.HTTPError as exc:
        return None, "", f"{type(exc).__name__}: {exc}"[:EXCERPT_CHARS], None


def _excerpt(response: httpx.Response) -> str:
    read = b""
    for chunk in response.iter_raw():
        read += chunk
        if len(read) >= EXCERPT_CHARS * 4:
            break
    text = read.decode(response.encoding or "utf-8", errors="replace")
    return text[:EXCERPT_CHARS]


def attempt(uow: UnitOfWork, delivery_id: uuid.UUID, *, now: datetime | None = None) -> str | None:
    """Try one delivery once; return its new status, or None when it is not ours to try
    now (another worker has it, it waits for an earlier event, its endpoint is disabled)."""
    now = now or utcnow()
    if not _claim(uow, delivery_id, now):
        return None
    with uow:
        delivery = uow.session.get(WebhookDelivery, delivery_id)
        assert delivery is not None
        endpoint, event = delivery.endpoint, delivery.event
        body = json.dumps(event.payload, separators=(",", ":"), sort_keys=True).encode()
        timestamp = int(time.time())
        headers = {
            "content-type": "application/json",
            "user-agent": "ContractDesk-Webhooks/1",
            "accept-encoding": "identity",
            "webhook-id": event.message_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": signature_header(
                endpoint.signing_secrets(now),
                msg_id=event.message_id,
                timestamp=timestamp,
                body=body,
            ),
        }
        url, timeout = endpoint.url, uow.settings.webhook_timeout_seconds
        retry_window = timedelta(days=uow.settings.webhook_retry_days)

    started = time.perf_counter()
    guard = guard_for(uow.settings)
    status_code, excerpt, error, refused = _post(guard, url, body, headers, timeout)
    duration_ms = int((time.perf_counter() - started) * 1000)

    with uow:
        delivery = uow.session.get(WebhookDelivery, delivery_id)
        assert delivery is not None
        delivery.attempts += 1
        if delivery.retry_until is None:
            delivery.retry_until = now + retry_window
        uow.session.add(
            WebhookAttempt(
                delivery_id=delivery.id,
                status_code=status_code,
                duration_ms=duration_ms,
                response_excerpt=excerpt,
                error=error,
                created_at=utcnow(),
            )
        )
        retry_at = now + backoff(delivery.attempts)
        if refused:
            delivery.status, delivery.next_attempt_at = FAILED, None
            disable_endpoint(uow, delivery.endpoint, f"its address is refused: {refused}")
        elif status_code is not None and 200 <= status_code < 300:
            delivery.status, delivery.delivered_at = DELIVERED, utcnow()
            delivery.next_attempt_at = None
            following = _next_in_order(uow, delivery)
            if following is not None:
                uow.enqueue("billing.deliver_event", event_id=str(following))
        elif status_code == GONE:
            delivery.status, delivery.next_attempt_at = FAILED, None
            disable_endpoint(uow, delivery.endpoint, "it answered 410 Gone")
        elif retry_at > delivery.retry_until:
            delivery.status, delivery.next_attempt_at = FAILED, None
            last = f"HTTP {status_code}" if status_code else (error or "no answer")
            disable_endpoint(
                uow,
                delivery.endpoint,
                f"{event.message_id} failed for {uow.settings.webhook_retry_days:g} days "
                f"(last: {last})",
            )
        else:
            delivery.next_attempt_at = retry_at
            if delivery.attempts == FAILING_AFTER_ATTEMPTS:
                last = f"HTTP {status_code}" if status_code else (error or "no answer")
                mail.webhook_failing(uow, delivery.endpoint, last)
        status = delivery.status
        uow.commit()
    outcome = "refused" if refused else status if status_code is not None else "unreachable"
    WEBHOOK_ATTEMPTS.labels(outcome=outcome).inc()
    log.info(
        "webhook %s to %s: %s",
        headers["webhook-id"],
        url,
        status_code or error,
        extra={"delivery_id": str(delivery_id), "outcome": status, "duration_ms": duration_ms},
    )
    return status
