"""`Idempotency-Key` as a CRM retrying over a bad network relies on it: the same request
again gets the first answer and makes nothing twice, on PostgreSQL, even at once."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

from apiflask import APIFlask
from sqlalchemy import func, select

from app.db import utcnow
from app.documents.models import Document
from app.idempotency import store
from tests.conftest import WAIT, bearer, row_counts
from tests.support.flows import plain_quote_request


def _documents(app: APIFlask) -> int:
    uow = app.extensions["contractdesk"].unit_of_work()
    with uow:
        return int(uow.session.scalar(select(func.count()).select_from(Document)) or 0)


def test_a_retry_gets_the_first_answer_and_makes_nothing_twice(app: APIFlask) -> None:
    client = app.test_client()
    headers = {**bearer(app, "support@example.com"), "Idempotency-Key": "opp-4711-quote-1"}
    body = plain_quote_request(app)
    first = client.post("/api/v1/documents", json=body, headers={**headers, **WAIT})
    assert first.status_code == 201
    before = row_counts(app.extensions["contractdesk"])

    again = client.post("/api/v1/documents", json=body, headers={**headers, **WAIT})
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json["id"] == first.json["id"] and again.json["number"] == first.json["number"]
    assert again.headers["Location"] == first.headers["Location"]
    assert row_counts(app.extensions["contractdesk"]) == before

    other = {**body, "external_ref": "OPP-9999"}
    reused = client.post("/api/v1/documents", json=other, headers={**headers, **WAIT})
    assert reused.status_code == 422
    assert reused.json["type"] == "/problems/idempotency-key-reused"
    assert row_counts(app.extensions["contractdesk"]) == before

    # another caller's key of the same name is another key
    manager = {**bearer(app, "manager@example.com"), "Idempotency-Key": "opp-4711-quote-1"}
    assert (
        client.post("/api/v1/documents", json=other, headers={**manager, **WAIT}).status_code == 201
    )


def test_keys_are_forgotten_after_24_hours(app: APIFlask) -> None:
    client = app.test_client()
    headers = {**bearer(app, "support@example.com"), "Idempotency-Key": "nightly-run-17"}
    body = plain_quote_request(app)
    first = client.post("/api/v1/documents", json=body, headers={**headers, **WAIT}).json
    runtime = app.extensions["contractdesk"]
    assert store.expire(runtime.unit_of_work(), now=utcnow() + timedelta(hours=23)) == 0
    assert store.expire(runtime.unit_of_work(), now=utcnow() + timedelta(hours=25)) == 1
    second = client.post("/api/v1/documents", json=body, headers={**headers, **WAIT}).json
    assert second["id"] != first["id"]


def test_concurrent_requests_with_one_key_make_one_document(app: APIFlask) -> None:
    headers = {**bearer(app, "support@example.com"), "Idempotency-Key": "double-click"}
    body = plain_quote_request(app)
    answers: list[Any] = []
    start = threading.Barrier(6)

    def post() -> None:
        client = app.test_client()
        start.wait()
        answers.append(client.post("/api/v1/documents", json=body, headers={**headers, **WAIT}))

    threads = [threading.Thread(target=post) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert _documents(app) == 1
    statuses = sorted(a.status_code for a in answers)
    assert set(statuses) <= {201, 409} and 201 in statuses, statuses
    assert len({a.json["id"] for a in answers if a.status_code == 201}) == 1
    busy = [a for a in answers if a.status_code == 409]
    assert all(int(a.headers["Retry-After"]) >= 1 for a in busy)
    retried = app.test_client().post("/api/v1/documents", json=body, headers={**headers, **WAIT})
    assert retried.status_code == 201 and retried.headers["Idempotent-Replayed"] == "true"


def test_a_failure_a_retry_might_not_meet_is_not_kept(app: APIFlask) -> None:
    client = app.test_client()
    headers = {**bearer(app, "support@example.com"), "Idempotency-Key": "k-1"}
    limited = client.post(
        "/api/v1/webhook-endpoints",
        json={"url": "https://erp.example.org/h", "events": ["invoice.trigger"]},
        headers=headers,
    )
    assert limited.status_code == 403  # support has no webhooks:manage scope
    bad_key = client.post(
        "/api/v1/documents",
        json=plain_quote_request(app),
        headers={**{**headers, "Idempotency-Key": ""}, **WAIT},
    )
    assert bad_key.status_code == 400
    made = client.post(
        "/api/v1/documents", json=plain_quote_request(app), headers={**headers, **WAIT}
    )
    assert made.status_code == 201  # the key was released after the 403
