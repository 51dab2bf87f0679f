"""Fault injection: each outside part fails in the middle of real work, and afterwards the
same invariant holds (`assert_consistent`): no document lost or half-made, no stored object
without its row, every signed document with its signed PDF, each invoice booked once."""

from __future__ import annotations

import json
import random
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from apiflask import APIFlask
from sqlalchemy import func, select, update

from app.config import Settings
from app.db import utcnow
from app.documents.models import Document, DocumentFile
from app.entry import run
from app.runtime import Runtime
from app.signing.models import Envelope
from tests.conftest import (
    WAIT,
    WebhookReceiver,
    account_id,
    bearer,
    build_app,
    make_settings,
)
from tests.support.consistency import BucketObjects, FolderObjects, assert_consistent
from tests.support.docusign_desk import Desk, docusign_desk
from tests.support.docusign_emulator import DocuSignEmulator
from tests.support.flows import plain_quote_request, quote_request, sign_as
from tests.support.redis_server import RedisServer
from tests.support.seaweedfs import SeaweedFS, s3_environment
from tests.support.workers import Worker

_background = ThreadPoolExecutor(max_workers=4, thread_name_prefix="fault")


def in_background(call: Callable[[], Any]) -> Future[Any]:
    return _background.submit(call)


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def count(runtime: Runtime, model: Any, *where: Any) -> int:
    uow = runtime.unit_of_work()
    with uow:
        return uow.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def numbers_reserved(runtime: Runtime) -> int:
    """A creation draws its number just before it renders: a sign that rendering began."""
    from app.counters import NumberReservation

    return count(runtime, NumberReservation)


def register_erp(app: APIFlask, receiver: WebhookReceiver) -> None:
    answer = app.test_client().post(
        "/api/v1/webhook-endpoints",
        json={"url": receiver.url, "events": ["invoice.trigger"]},
        headers=bearer(app, "finance@example.com"),
    )
    assert answer.status_code == 201, answer.json


def creating(app: APIFlask, body: dict[str, Any] | None = None) -> Callable[[], Any]:
    """A create as a CRM makes it, ready to run (in the background, while a fault strikes)."""
    client, headers = app.test_client(), bearer(app, "support@example.com")
    body = body or plain_quote_request(app)
    return lambda: client.post("/api/v1/documents", json=body, headers={**headers, **WAIT})


def create(app: APIFlask, body: dict[str, Any] | None = None) -> Any:
    return creating(app, body)()


def send_to_one_signer(app: APIFlask, document_id: str) -> Any:
    answer = app.test_client().post(
        f"/api/v1/documents/{document_id}/send",
        json={"signers": [{"name": "Helen Marsh", "email": "h.marsh@example.ac.uk"}]},
        headers=bearer(app, "support@example.com"),
    )
    assert answer.status_code == 200, answer.json
    return answer.json


def document(app: APIFlask, document_id: str) -> Any:
    return (
        app.test_client()
        .get(f"/api/v1/documents/{document_id}", headers=bearer(app, "support@example.com"))
        .json
    )


def assert_problem(answer: Any, status: int, says: str) -> None:
    assert answer.status_code == status, answer.json
    assert answer.mimetype == "application/problem+json"
    assert says in answer.json["detail"], answer.json["detail"]


# --- 1. S3 --------------------------------------------------------------------------------


@pytest.fixture
def own_seaweedfs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SeaweedFS]:
    """A SeaweedFS of this test's own, since the test kills it."""
    server = SeaweedFS(tmp_path / "seaweedfs")
    server.start()
    for name, value in s3_environment(server).items():
        monkeypatch.setenv(name, value)
    yield server
    server.kill()  # its data is thrown away: no need to wait for a clean shutdown


@contextmanager
def app_storing_on(
    server: SeaweedFS, postgres_url: str, tmp_path: Path, instance_dir: Path
) -> Iterator[tuple[APIFlask, Runtime, BucketObjects]]:
    """An app that stores its files in a new bucket of `server`, and that bucket."""
    bucket = server.new_bucket()
    app = build_app(
        make_settings(
            postgres_url,
            tmp_path,
            instance_dir,
            storage="s3",
            s3_endpoint_url=server.endpoint_url,
            s3_bucket=bucket,
        )
    )
    runtime: Runtime = app.extensions["contractdesk"]
    try:
        yield app, runtime, BucketObjects(server, bucket)
    finally:
        runtime.close()


def test_s3_killed_while_a_document_is_made(
    postgres_url: str, tmp_path: Path, instance_dir: Path, own_seaweedfs: SeaweedFS
) -> None:
    server = own_seaweedfs
    with app_storing_on(server, postgres_url, tmp_path, instance_dir) as (app, runtime, bucket):
        body = quote_request(account_id(runtime, "University"))
        answer = in_background(creating(app, body))
        wait_until(lambda: numbers_reserved(runtime) == 1, "the rendering to begin")
        server.kill()  # between the render and the put
        failed = answer.result(timeout=60)
        assert_problem(failed, 422, "object storage")
        # Recorded before its render, the document says why it has no files yet.
        recorded = document(app, failed.json["document"].rsplit("/", 1)[-1])
        assert recorded["render_status"] == "failed"
        assert "object storage" in recorded["render_error"]

        server.start()
        again = app.test_client().post(
            f"/api/v1/documents/{recorded['id']}/regenerate",
            headers={**bearer(app, "support@example.com"), **WAIT},
        )
        assert again.status_code in (200, 201), again.json
        assert document(app, recorded["id"])["render_status"] == "ready"
        assert count(runtime, Document) == 1
        assert_consistent(runtime, bucket)


# --- 2. PostgreSQL ------------------------------------------------------------------------


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def test_postgres_backend_terminated_mid_transaction(
    postgres_url: str, tmp_path: Path, instance_dir: Path, s3_env: SeaweedFS
) -> None:
    with app_storing_on(s3_env, postgres_url, tmp_path, instance_dir) as (app, runtime, bucket):
        create_now = creating(app)
        with psycopg.connect(_libpq(postgres_url), autocommit=True) as dba:

            def writing_transaction() -> bool:
                # The document row is written, and the connection waits in its transaction
                # while the document renders and is stored.
                found = dba.execute(
                    "SELECT count(*) FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid "
                    "WHERE a.datname = current_database() AND a.state = 'idle in transaction' "
                    "AND l.relation = 'document'::regclass AND l.mode = 'RowExclusiveLock'"
                ).fetchone()
                return bool(found and found[0])

            answer = in_background(create_now)
            wait_until(writing_transaction, "the create's transaction to write")
            terminated = dba.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchall()
        assert terminated, "no backend of the app was there to terminate"
        lost = answer.result(timeout=60)
        assert lost.status_code == 503 and lost.mimetype == "application/problem+json"
        assert "connection to the database was lost" in lost.json["detail"]
        assert count(runtime, Document) == 0

        again = create(app)  # the pool finds its connections dead and opens new ones
        assert again.status_code == 201, again.json
        assert again.json["number"].endswith("000001")
        assert_consistent(runtime, bucket)


# --- 3. Redis -----------------------------------------------------------------------------


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A Redis of this test's own, since the test restarts it."""
    server = RedisServer(tmp_path / "redis")
    server.start()
    yield server
    server.stop()


def restart_redis_after(server: RedisServer, work: Callable[[], None]) -> None:
    """Shut Redis down, do `work` while it is down, and always start it again."""
    server.stop()
    try:
        work()
    finally:
        server.start()


def _celery_settings(
    postgres_url: str, tmp_path: Path, instance_dir: Path, redis_url: str
) -> Settings:
    return make_settings(
        postgres_url,
        tmp_path,
        instance_dir,
        celery_broker_url=redis_url,
        celery_queue=f"contractdesk-faults-{uuid.uuid4().hex[:8]}",
        celery_visibility_timeout=4,
        webhook_lease_seconds=2,
        render_timeout_seconds=45,
        rate_limit_storage=redis_url,
    )


@pytest.fixture
def celery_settings(
    postgres_url: str, tmp_path: Path, instance_dir: Path, redis_url: str
) -> Settings:
    return _celery_settings(postgres_url, tmp_path, instance_dir, redis_url)


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


@pytest.fixture
def app_on_own_redis(
    postgres_url: str, tmp_path: Path, instance_dir: Path, own_redis: RedisServer
) -> Iterator[APIFlask]:
    """An app, and a worker, whose jobs and rate limits are in the test's own Redis."""
    settings = _celery_settings(postgres_url, tmp_path, instance_dir, own_redis.url)
    app = build_app(settings)
    worker = Worker(settings, tmp_path / "worker.log")
    worker.start()
    yield app
    worker.stop()
    app.extensions["contractdesk"].close()


def test_redis_restarted_under_the_jobs_and_the_rate_limits(
    app_on_own_redis: APIFlask, own_redis: RedisServer, webhook_receiver: WebhookReceiver
) -> None:
    app, runtime = app_on_own_redis, app_on_own_redis.extensions["contractdesk"]
    client = app.test_client()
    register_erp(app, webhook_receiver)
    first = create(app)  # rendered by the worker, counted in Redis
    assert first.status_code == 201, first.json
    link = send_to_one_signer(app, first.json["id"])["signers"][0]["signing_url"]

    def while_down() -> None:
        # Recorded; its render job cannot be queued, and the periodic sweep renders it later.
        recorded = client.post(
            "/api/v1/documents",
            json=plain_quote_request(app),
            headers=bearer(app, "support@example.com"),
        )
        assert recorded.status_code == 202, recorded.json
        assert recorded.json["render_status"] == "rendering"
        waiting.append(recorded.json["id"])
        # The customer signs meanwhile: the signature stands; the invoice waits in the outbox.
        assert sign_as(client, link, "Helen Marsh").status_code == 200
        assert document(app, first.json["id"])["status"] == "signed"

    waiting: list[str] = []
    restart_redis_after(own_redis, while_down)
    again = create(app)  # the worker and the web node reconnect by themselves
    assert again.status_code == 201, again.json
    assert document(app, waiting[0])["render_status"] == "rendering"
    assert run(runtime, "documents.render_due", {"older_than_seconds": 0}) == 1
    assert document(app, waiting[0])["render_status"] == "ready"
    assert webhook_receiver.received == []  # never queued: the broker was down
    assert run(runtime, "billing.retry_due", {}) == 1  # the periodic sweep finds it
    webhook_receiver.wait_for(1)
    assert_consistent(runtime, FolderObjects(runtime.settings.storage_dir), webhook_receiver)


# --- 4. DocuSign answering 500, 429, and not at all ------------------------------------


@pytest.fixture
def desk(
    postgres_url: str, tmp_path: Path, instance_dir: Path, docusign: DocuSignEmulator
) -> Iterator[Desk]:
    with docusign_desk(
        docusign, postgres_url, tmp_path, instance_dir, docusign_timeout_seconds=2
    ) as desk:
        yield desk


def _retry_send_now(desk: Desk) -> str:
    uow = desk.runtime.unit_of_work()
    with uow:
        uow.session.execute(update(Envelope).values(next_attempt_at=utcnow() - timedelta(1)))
        uow.commit()
    assert run(desk.runtime, "signing.docusign_retry_due", {}) == 1
    with uow:
        return str(uow.session.scalar(select(Envelope.reason)))


def test_docusign_failing_on_envelope_create_and_on_download(
    desk: Desk, webhook_receiver: WebhookReceiver
) -> None:
    app, emulator = desk.app, desk.docusign
    register_erp(app, webhook_receiver)
    document_id = create(app).json["id"]
    envelopes_before = set(emulator.state.envelopes)

    emulator.fail_next("envelopes/create", 500)
    send_to_one_signer(app, document_id)
    desk.wait()
    assert document(app, document_id)["status"] == "sending"
    emulator.fail_next("envelopes/create", 429, retry_after=30)
    assert "DocuSign answered 429" in _retry_send_now(desk)
    emulator.stall_next("envelopes/create", 3)  # DocuSign makes it; the answer comes too late
    assert "DocuSign cannot be reached" in _retry_send_now(desk)
    assert _retry_send_now(desk) == ""
    assert document(app, document_id)["status"] == "sent"
    [envelope_id] = set(emulator.state.envelopes) - envelopes_before  # one envelope, not two

    emulator.fail_next("documents/combined", 500)
    emulator.state.connect_paused = True
    emulator.sign(envelope_id, "1")
    recipient_completed, completed = emulator.state.undelivered
    assert emulator.deliver(recipient_completed).status_code == 200
    assert emulator.deliver(completed).status_code == 503  # nothing kept: Connect tries again
    assert document(app, document_id)["status"] == "sent"
    # The SDK's HTTP client waits out a 429's Retry-After and asks again after a timeout.
    emulator.fail_next("documents/combined", 429, retry_after=1)
    emulator.stall_next("documents/certificate", 3)
    assert emulator.deliver(completed).json()["outcome"] == "completed"
    assert not [f for f in emulator.state.faults if f.times], "every fault was met"
    assert not [s for s in emulator.state.stalls if s.times], "every stall was met"
    desk.wait()
    webhook_receiver.wait_for(1)
    assert document(app, document_id)["status"] == "signed"
    assert_consistent(
        desk.runtime, FolderObjects(desk.runtime.settings.storage_dir), webhook_receiver
    )


# --- 5. Celery workers killed ------------------------------------------------------------


def test_workers_killed_while_rendering_and_while_delivering(
    celery_app: APIFlask, worker: Worker, webhook_receiver: WebhookReceiver
) -> None:
    app, runtime = celery_app, celery_app.extensions["contractdesk"]
    client = app.test_client()
    visibility = runtime.settings.celery_visibility_timeout
    register_erp(app, webhook_receiver)

    answer = in_background(creating(app))
    wait_until(lambda: numbers_reserved(runtime) == 1, "the worker to begin rendering")
    worker.kill()
    time.sleep(visibility + 1)  # Redis hands the unacknowledged job on after this
    worker.start()
    created = answer.result(timeout=60)  # the caller still gets its answer, once
    assert created.status_code == 201, created.json
    assert count(runtime, Document) == 1

    webhook_receiver.stall_first = 5
    link = send_to_one_signer(app, created.json["id"])["signers"][0]["signing_url"]
    assert sign_as(client, link, "Helen Marsh").status_code == 200
    webhook_receiver.wait_for(1)
    worker.kill()  # while it waits for the ERP's answer
    time.sleep(visibility + 1)
    worker.start()
    webhook_receiver.wait_for(2)
    assert len({hook.headers["webhook-id"] for hook in webhook_receiver.received}) == 1
    assert_consistent(runtime, FolderObjects(runtime.settings.storage_dir), webhook_receiver)


# --- 6. Connect events again and again, out of order ------------------------------------


def test_connect_events_five_times_each_and_out_of_order(
    desk: Desk, webhook_receiver: WebhookReceiver
) -> None:
    app, emulator = desk.app, desk.docusign
    register_erp(app, webhook_receiver)
    document_id = create(app).json["id"]
    send_to_one_signer(app, document_id)
    desk.wait()
    uow = desk.runtime.unit_of_work()
    with uow:
        ref = str(uow.session.scalar(select(Envelope.provider_ref)))
    envelope = emulator.state.envelopes[ref]
    envelope.completed.add("1")
    envelope.history.append(("Helen Marsh", utcnow().isoformat()))
    envelope.status = "completed"
    start = utcnow()

    def at(seconds: int) -> str:
        return (start + timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")

    sent = emulator.event_body(envelope, "envelope-sent", generated=at(0))
    delivered = emulator.event_body(envelope, "envelope-delivered", generated=at(1))
    signed = emulator.event_body(envelope, "recipient-completed", recipient_id="1", generated=at(2))
    completed = emulator.event_body(envelope, "envelope-completed", generated=at(3))
    late = [sent, delivered, signed] * 5
    downloads_before = emulator.state.calls["documents/combined"]
    random.Random(7).shuffle(late)

    at_once = [in_background(lambda: emulator.deliver(completed)) for _ in range(5)]
    outcomes = [answer.result(timeout=60).json()["outcome"] for answer in at_once]
    outcomes += [emulator.deliver(body).json()["outcome"] for body in late]
    assert outcomes.count("completed") == 1, outcomes
    desk.wait()
    webhook_receiver.wait_for(1)

    assert document(app, document_id)["signers"][0]["status"] == "signed"
    assert count(desk.runtime, DocumentFile, DocumentFile.kind == "signed") == 1
    assert emulator.state.calls["documents/combined"] - downloads_before == 1
    time.sleep(0.5)  # a second invoice would have arrived by now
    assert len(webhook_receiver.received) == 1
    assert json.loads(webhook_receiver.received[0].body)["data"]["document_id"] == document_id
    assert_consistent(
        desk.runtime, FolderObjects(desk.runtime.settings.storage_dir), webhook_receiver
    )
