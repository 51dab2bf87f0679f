"""Liveness, readiness, metrics, and a request id that follows a document into its jobs."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from apiflask import APIFlask

from app.observability.logging import configure
from tests.conftest import WebhookReceiver, build_app, make_settings
from tests.support.flows import signed_quote
from tests.support.seaweedfs import SeaweedFS


def test_health_and_readiness_on_the_embedded_parts(app: APIFlask) -> None:
    client = app.test_client()
    assert client.get("/healthz").json == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json["checks"] == {"database": "ok", "storage": "ok", "jobs": "in-process"}


def test_readiness_names_the_part_that_is_down(
    postgres_url: str, tmp_path: Path, instance_dir: Path, s3_env: SeaweedFS
) -> None:
    server = SeaweedFS(tmp_path / "s3")
    server.start()
    settings = make_settings(
        postgres_url,
        tmp_path,
        instance_dir,
        storage="s3",
        s3_endpoint_url=server.endpoint_url,
        s3_bucket=server.new_bucket(),
        celery_broker_url="redis://127.0.0.1:9/0",
    )
    app = build_app(settings)
    try:
        server.stop()
        answer = app.test_client().get("/readyz")
        assert answer.status_code == 503
        checks = answer.json["checks"]
        assert checks["database"] == "ok"
        assert "object storage" in checks["storage"]
        assert "broker cannot be reached" in checks["jobs"]
    finally:
        app.extensions["contractdesk"].close()
        server.stop()


def test_metrics_count_requests_renders_and_deliveries(
    postgres_url: str, tmp_path: Path, instance_dir: Path, webhook_receiver: WebhookReceiver
) -> None:
    app = build_app(make_settings(postgres_url, tmp_path, instance_dir, metrics_token="scrape"))
    signed_quote(app, webhook_receiver)
    app.extensions["contractdesk"].jobs.wait_idle()
    text = app.test_client().get("/metrics", headers={"Authorization": "Bearer scrape"}).text
    app.extensions["contractdesk"].close()
    assert (
        'contractdesk_http_requests_total{method="POST",route="/api/v1/documents",status="201"}'
        in text
    )
    assert 'contractdesk_render_seconds_count{format="pdf"}' in text
    assert 'contractdesk_webhook_attempts_total{outcome="delivered"}' in text
    assert 'contractdesk_queue_depth{queue="webhook_deliveries"} 0.0' in text


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    stream = io.StringIO()
    configure("INFO", stream)
    yield stream
    root.handlers, root.level = handlers, level


def test_the_request_id_follows_a_signature_into_its_webhook_job(
    app: APIFlask, webhook_receiver: WebhookReceiver, json_logs: io.StringIO
) -> None:
    client = app.test_client()
    assert (
        client.get("/healthz", headers={"X-Request-ID": "crm-123"}).headers["X-Request-ID"]
        == "crm-123"
    )
    assert len(client.get("/healthz").headers["X-Request-ID"]) == 32

    signed_quote(app, webhook_receiver)
    app.extensions["contractdesk"].jobs.wait_idle()
    lines = [json.loads(line) for line in json_logs.getvalue().splitlines()]
    [delivery] = [line for line in lines if line["logger"] == "app.billing.delivery"]
    assert delivery["outcome"] == "delivered" and delivery["level"] == "INFO"
    assert delivery["request_id"] and len(delivery["request_id"]) == 32
