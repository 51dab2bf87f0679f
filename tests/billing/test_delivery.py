"""Invoicing events reach the ERP: retried with backoff until a 2xx, logged, never twice."""

from __future__ import annotations

from datetime import timedelta

from apiflask import APIFlask
from sqlalchemy import select

from app.billing.delivery import backoff
from app.billing.models import DELIVERED, PENDING, WebhookDelivery
from app.billing.tasks import retry_due
from app.db import utcnow
from tests.conftest import WebhookReceiver
from tests.support.flows import signed_quote


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
    signed_quote(app, webhook_receiver)
    app.extensions["contractdesk"].jobs.wait_idle()
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
    signed_quote(app, webhook_receiver)
    app.extensions["contractdesk"].jobs.wait_idle()
    delivery = _delivery(app)
    assert delivery.status == PENDING
    [attempt] = delivery.attempt_log
    assert attempt.status_code is None and attempt.error and "Connect" in attempt.error


def test_backoff_grows_and_is_capped() -> None:
    assert timedelta(seconds=10) <= backoff(1) <= timedelta(seconds=12)
    assert timedelta(seconds=80) <= backoff(4) <= timedelta(seconds=96)
    assert backoff(30) <= timedelta(hours=6) * 1.2
