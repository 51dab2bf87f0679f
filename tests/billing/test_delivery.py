"""Invoicing events reach the ERP: retried with backoff until a 2xx, logged, never twice."""

from __future__ import annotations

from datetime import timedelta

from apiflask import APIFlask
from sqlalchemy import select

from app.billing.delivery import backoff
from app.billing.models import DELIVERED, PENDING, WebhookDelivery
from app.billing.tasks import retry_due
from app.db import utcnow
from tests.conftest import WebhookReceiver, account_id, bearer
from tests.test_quote_to_invoice import quote_request, sign_as


def _signed_quote(app: APIFlask, receiver: WebhookReceiver) -> str:
    client = app.test_client()
    runtime = app.extensions["contractdesk"]
    client.post(
        "/api/v1/webhook-endpoints",
        json={"url": receiver.url, "events": ["invoice.trigger"]},
        headers=bearer(app, "finance@example.com"),
    )
    body = quote_request(account_id(runtime, "University"))
    body["data"]["lines"][0]["discount_percent"] = "0"
    body["data"]["discount_percent"] = "0"
    support = bearer(app, "support@example.com")
    doc = client.post("/api/v1/documents", json=body, headers=support).json
    sent = client.post(
        f"/api/v1/documents/{doc['id']}/send",
        json={"signers": [{"name": "Helen Marsh", "email": "h.marsh@example.ac.uk"}]},
        headers=support,
    ).json
    assert sign_as(client, sent["signers"][0]["signing_url"], "Helen Marsh").status_code == 200
    runtime.jobs.wait_idle()
    return doc["id"]


def _delivery(app: APIFlask) -> WebhookDelivery:
    uow = app.extensions["contractdesk"].unit_of_work()
    with uow:
        delivery = uow.session.scalar(select(WebhookDelivery))
        assert delivery is not None
        return delivery


def test_a_failing_receiver_gets_the_same_event_again_until_it_accepts(
    app: APIFlask, webhook_receiver: WebhookReceiver
) -> None:
    webhook_receiver.answers = [500, 503, 200]
    _signed_quote(app, webhook_receiver)
    runtime = app.extensions["contractdesk"]
    assert len(webhook_receiver.received) == 1
    first = _delivery(app)
    assert first.status == PENDING and first.attempts == 1
    assert first.next_attempt_at is not None and first.next_attempt_at > utcnow()

    assert retry_due(runtime) == 0  # not due yet: backoff holds it back
    assert retry_due(runtime, now=utcnow() + timedelta(minutes=1)) == 1
    assert retry_due(runtime, now=utcnow() + timedelta(hours=1)) == 1
    assert retry_due(runtime, now=utcnow() + timedelta(days=1)) == 0

    done = _delivery(app)
    assert done.status == DELIVERED and done.attempts == 3
    assert [a.status_code for a in done.attempt_log] == [500, 503, 200]
    ids = {hook.headers["webhook-id"] for hook in webhook_receiver.received}
    assert len(webhook_receiver.received) == 3 and len(ids) == 1


def test_an_unreachable_receiver_is_logged_and_retried(
    app: APIFlask, webhook_receiver: WebhookReceiver
) -> None:
    webhook_receiver.url = "http://127.0.0.1:9/nothing-listens-here"
    _signed_quote(app, webhook_receiver)
    delivery = _delivery(app)
    assert delivery.status == PENDING
    [attempt] = delivery.attempt_log
    assert attempt.status_code is None and attempt.error and "Connect" in attempt.error


def test_backoff_grows_and_is_capped() -> None:
    assert timedelta(seconds=10) <= backoff(1) <= timedelta(seconds=12)
    assert timedelta(seconds=80) <= backoff(4) <= timedelta(seconds=96)
    assert backoff(30) <= timedelta(hours=6) * 1.2
