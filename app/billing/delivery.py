"""Where invoicing events are delivered: signed POSTs, retried with backoff until a 2xx.

A delivery is claimed by pushing its `next_attempt_at` a lease into the future in a short
transaction, so two workers never post the same delivery at once and a worker that dies
mid-post leaves it to be retried when the lease runs out (at-least-once; receivers
deduplicate on `webhook-id`).
"""

from __future__ import annotations

import json
import logging
import random
import time
import uuid
from datetime import datetime, timedelta

import httpx
from sqlalchemy import select, update

from app.billing.models import DELIVERED, FAILED, PENDING, WebhookAttempt, WebhookDelivery
from app.billing.signatures import sign
from app.db import utcnow
from app.observability.metrics import WEBHOOK_ATTEMPTS
from app.uow import UnitOfWork

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=6)
EXCERPT_CHARS = 500


def backoff(attempts: int) -> timedelta:
    """Exponential from 10 s, capped at 6 h, with up to 20 % jitter."""
    base = min(timedelta(seconds=10 * 2 ** (attempts - 1)), MAX_BACKOFF)
    return base * (1 + random.random() * 0.2)  # noqa: S311 - jitter, not security


def due_delivery_ids(uow: UnitOfWork, *, now: datetime, limit: int = 100) -> list[uuid.UUID]:
    with uow:
        return list(
            uow.session.scalars(
                select(WebhookDelivery.id)
                .where(WebhookDelivery.status == PENDING, WebhookDelivery.next_attempt_at <= now)
                .order_by(WebhookDelivery.next_attempt_at)
                .limit(limit)
            )
        )


def _claim(uow: UnitOfWork, delivery_id: uuid.UUID, now: datetime) -> bool:
    lease = timedelta(seconds=uow.settings.webhook_lease_seconds)
    with uow:
        claimed = uow.session.execute(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.id == delivery_id,
                WebhookDelivery.status == PENDING,
                WebhookDelivery.next_attempt_at <= now,
            )
            .values(next_attempt_at=now + lease)
            .returning(WebhookDelivery.id)
        ).scalar_one_or_none()
        uow.commit()
    return claimed is not None


def attempt(uow: UnitOfWork, delivery_id: uuid.UUID, *, now: datetime | None = None) -> str | None:
    """Try one delivery once; return its new status, or None when another worker has it."""
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
            "webhook-id": event.message_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(
                endpoint.secret, msg_id=event.message_id, timestamp=timestamp, body=body
            ),
        }
        url, timeout = endpoint.url, uow.settings.webhook_timeout_seconds
        max_attempts = uow.settings.webhook_max_attempts

    started = time.perf_counter()
    status_code: int | None = None
    excerpt, error = "", None
    try:
        response = httpx.post(url, content=body, headers=headers, timeout=timeout)
        status_code, excerpt = response.status_code, response.text[:EXCERPT_CHARS]
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"[:EXCERPT_CHARS]
    duration_ms = int((time.perf_counter() - started) * 1000)

    with uow:
        delivery = uow.session.get(WebhookDelivery, delivery_id)
        assert delivery is not None
        delivery.attempts += 1
        uow.session.add(
            WebhookAttempt(
                delivery_id=delivery.id,
                status_code=status_code,
                duration_ms=duration_ms,
                response_excerpt=excerpt,
                error=error,
            )
        )
        if status_code is not None and 200 <= status_code < 300:
            delivery.status, delivery.delivered_at, delivery.next_attempt_at = (
                DELIVERED,
                utcnow(),
                None,
            )
        elif delivery.attempts >= max_attempts:
            delivery.status, delivery.next_attempt_at = FAILED, None
        else:
            delivery.next_attempt_at = now + backoff(delivery.attempts)
        status = delivery.status
        uow.commit()
    WEBHOOK_ATTEMPTS.labels(outcome=status if status_code is not None else "unreachable").inc()
    log.info(
        "webhook %s to %s: %s",
        headers["webhook-id"],
        url,
        status_code or error,
        extra={"delivery_id": str(delivery_id), "outcome": status, "duration_ms": duration_ms},
    )
    return status
