"""Jobs on real Celery worker processes with Redis as the broker."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import kombu
import pytest
from apiflask import APIFlask
from sqlalchemy import select

from app.billing.models import DELIVERED, WebhookDelivery
from app.config import Settings
from app.db import utcnow
from tests.conftest import (
    WAIT,
    WebhookReceiver,
    account_id,
    bearer,
    build_app,
    make_settings,
    missing_service,
    row_counts,
)
from tests.support.flows import quote_request, signed_quote
from tests.support.workers import Worker

RABBITMQ_URL = os.environ.get("CONTRACTDESK_TEST_RABBITMQ", "amqp://guest:guest@127.0.0.1:5672//")


@pytest.fixture(scope="session")
def rabbitmq_url() -> str:
    try:
        with kombu.Connection(RABBITMQ_URL, connect_timeout=3) as connection:
            connection.ensure_connection(max_retries=1)
    except Exception as exc:
        missing_service(f"RabbitMQ is not reachable at {RABBITMQ_URL}: {exc}")
    return RABBITMQ_URL


@pytest.fixture
def celery_settings(
    postgres_url: str, tmp_path: Path, instance_dir: Path, redis_url: str
) -> Settings:
    return make_settings(
        postgres_url,
        tmp_path,
        instance_dir,
        celery_broker_url=redis_url,
        celery_queue=f"contractdesk-test-{uuid.uuid4().hex[:8]}",
        celery_visibility_timeout=4,
        webhook_lease_seconds=2,
    )


@pytest.fixture
def celery_app(celery_settings: Settings) -> Iterator[APIFlask]:
    app = build_app(celery_settings)
    yield app
    app.extensions["contractdesk"].close()


@pytest.fixture
def worker(celery_settings: Settings, tmp_path: Path) -> Iterator[Worker]:
    worker = Worker(celery_settings, tmp_path / "worker.log")
    worker.start()
    yield worker
    worker.stop()


def _delivery_status(app: APIFlask) -> str:
    uow = app.extensions["contractdesk"].unit_of_work()
    with uow:
        return uow.session.scalar(select(WebhookDelivery.status)) or ""


@pytest.mark.parametrize("broker", ["redis", "rabbitmq"])
def test_a_worker_process_delivers_the_invoice_trigger(
    broker: str,
    request: pytest.FixtureRequest,
    celery_settings: Settings,
    tmp_path: Path,
    webhook_receiver: WebhookReceiver,
) -> None:
    settings = celery_settings.model_copy(
        update={"celery_broker_url": request.getfixturevalue(f"{broker}_url")}
    )
    celery_app = build_app(settings)
    worker = Worker(settings, tmp_path / "worker.log")
    worker.start()
    try:
        _deliver_through_worker(celery_app, webhook_receiver)
    finally:
        worker.stop()
        celery_app.extensions["contractdesk"].close()


def _deliver_through_worker(celery_app: APIFlask, webhook_receiver: WebhookReceiver) -> None:
    document_id = signed_quote(celery_app, webhook_receiver)
    webhook_receiver.wait_for(1)
    [event] = webhook_receiver.ledger.values()
    assert event["type"] == "invoice.trigger" and event["data"]["document_id"] == document_id
    for _ in range(100):
        if _delivery_status(celery_app) == DELIVERED:
            break
        time.sleep(0.1)
    assert _delivery_status(celery_app) == DELIVERED


def test_a_worker_killed_mid_delivery_is_replaced_and_the_erp_books_once(
    celery_app: APIFlask, worker: Worker, webhook_receiver: WebhookReceiver
) -> None:
    webhook_receiver.stall_first = 8
    signed_quote(celery_app, webhook_receiver)
    webhook_receiver.wait_for(1)
    worker.kill()  # SIGKILL while the worker waits for the ERP's answer
    # Redis hands an unacknowledged job to the next worker that connects once its
    # visibility timeout (4 s here, an hour by default) has passed.
    time.sleep(celery_app.extensions["contractdesk"].settings.celery_visibility_timeout + 1)
    worker.start()
    webhook_receiver.wait_for(2, timeout=90)
    ids = {hook.headers["webhook-id"] for hook in webhook_receiver.received}
    assert len(ids) == 1, "a redelivery carries the same webhook-id"
    assert len(webhook_receiver.ledger) == 1
    for _ in range(100):
        if _delivery_status(celery_app) == DELIVERED:
            break
        time.sleep(0.1)
    assert _delivery_status(celery_app) == DELIVERED


def test_documents_are_rendered_by_the_worker_and_bad_data_is_refused_at_once(
    celery_app: APIFlask, worker: Worker
) -> None:
    client = celery_app.test_client()
    runtime = celery_app.extensions["contractdesk"]
    support = bearer(celery_app, "support@example.com")
    created = client.post(
        "/api/v1/documents",
        json=quote_request(account_id(runtime, "University")),
        headers={**support, **WAIT},
    )
    assert created.status_code == 201, created.json
    assert created.json["files"]["pdf"] and created.json["files"]["docx"]
    for _ in range(50):  # the worker writes its log line just after answering
        if created.json["id"] in worker.log.read_text():
            break
        time.sleep(0.1)
    assert created.json["id"] in worker.log.read_text(), "the worker rendered it"

    body = quote_request(account_id(runtime, "University"))
    body["data"]["lines"][0]["sku"] = "NOPE-1"
    before = row_counts(runtime)
    refused = client.post("/api/v1/documents", json=body, headers={**support, **WAIT})
    assert refused.status_code == 422
    assert refused.json["errors"][0]["pointer"] == "/data/lines/0/sku"
    assert row_counts(runtime) == before


def test_without_a_worker_a_waiting_request_answers_202_and_a_later_worker_renders_it(
    celery_settings: Settings, tmp_path: Path
) -> None:
    """The wait is capped at the render timeout; the document is recorded, rendering, and
    the job waits in the queue for a worker."""
    app = build_app(celery_settings.model_copy(update={"render_timeout_seconds": 2}))
    worker = Worker(celery_settings, tmp_path / "worker.log")
    try:
        client = app.test_client()
        runtime = app.extensions["contractdesk"]
        headers = bearer(app, "support@example.com")
        answer = client.post(
            "/api/v1/documents",
            json=quote_request(account_id(runtime, "University")),
            headers={**headers, **WAIT},
        )
        assert answer.status_code == 202, answer.json
        assert answer.headers["Preference-Applied"] == "wait=2"
        assert answer.json["render_status"] == "rendering" and not any(
            answer.json["files"].values()
        )
        worker.start()
        for _ in range(600):
            document = client.get(answer.headers["Location"], headers=headers).json
            if document["render_status"] != "rendering":
                break
            time.sleep(0.1)
        assert document["render_status"] == "ready"
        assert document["files"]["pdf"] and document["files"]["docx"]
    finally:
        worker.stop()
        app.extensions["contractdesk"].close()


def _retry_due_now(app: APIFlask) -> None:
    """Once the first attempt has failed and set its retry (10-12 s later), the retry is
    made due now, as if that time had passed."""
    uow = app.extensions["contractdesk"].unit_of_work()
    deadline = time.monotonic() + 30
    while True:
        with uow:
            failed = uow.session.scalar(
                select(WebhookDelivery).where(WebhookDelivery.attempts == 1)
            )
            if failed is not None and failed.next_attempt_at is not None:
                failed.next_attempt_at = utcnow() - timedelta(seconds=1)
                uow.commit()
                return
        assert time.monotonic() < deadline, "the first attempt never failed"
        time.sleep(0.1)


def test_beat_schedules_the_retry_sweep_that_redelivers(
    celery_settings: Settings, tmp_path: Path, webhook_receiver: WebhookReceiver
) -> None:
    settings = celery_settings.model_copy(update={"sweep_interval_seconds": 1})
    app = build_app(settings)
    worker = Worker(settings, tmp_path / "worker.log")
    beat = Worker(
        settings, tmp_path / "beat.log", ("beat", "--schedule", str(tmp_path / "schedule"))
    )
    worker.start()
    try:
        webhook_receiver.answers = [500, 200]
        signed_quote(app, webhook_receiver)
        _retry_due_now(app)
        beat.start()
        webhook_receiver.wait_for(2, timeout=60)
        assert len(webhook_receiver.ledger) == 1
    finally:
        beat.stop()
        worker.stop()
        app.extensions["contractdesk"].close()
