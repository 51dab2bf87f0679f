"""What SQLite hides and PostgreSQL must get right: races between real connections."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from apiflask import APIFlask
from sqlalchemy import select

from app import counters
from app.approvals import decisions
from app.billing.delivery import attempt
from app.billing.models import WebhookDelivery
from app.db import utcnow
from app.documents import creating
from app.documents.models import Approval, Document
from app.errors import Conflict
from app.users import services as users
from tests.conftest import WAIT, WebhookReceiver, account_id, bearer
from tests.support.flows import quote_request, signed_quote


def _together(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls on threads released at the same moment; return results or exceptions."""
    start = threading.Barrier(len(calls))

    def run(call: Callable[[], Any]) -> Any:
        start.wait()
        try:
            return call()
        except Exception as exc:
            return exc

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def test_two_managers_approving_at_once_make_one_decision(app: APIFlask) -> None:
    runtime = app.extensions["contractdesk"]
    client = app.test_client()
    doc = client.post(
        "/api/v1/documents",
        json=quote_request(account_id(runtime, "University")),
        headers={**bearer(app, "support@example.com"), **WAIT},
    ).json
    uow = runtime.unit_of_work()
    with uow:
        managers = [
            users.user_by_email(uow.session, e)
            for e in ("manager@example.com", "manager2@example.com")
        ]
    results = _together(
        [
            lambda m=m: decisions.decide_approval(
                runtime.unit_of_work(), doc["id"], actor=m, decision="approve", comment=m.email
            )
            for m in managers
        ]
    )
    assert sum(isinstance(r, Conflict) for r in results) == 1, results
    with uow:
        assert len(uow.session.scalars(select(Approval)).all()) == 1


def test_two_workers_never_post_the_same_delivery_at_once(
    app: APIFlask, webhook_receiver: WebhookReceiver
) -> None:
    webhook_receiver.answers = [503]  # stays pending, so both workers find it due
    signed_quote(app, webhook_receiver)
    app.extensions["contractdesk"].jobs.wait_idle()
    runtime = app.extensions["contractdesk"]
    uow = runtime.unit_of_work()
    with uow:
        delivery = uow.session.scalar(select(WebhookDelivery))
        assert delivery is not None
        delivery.next_attempt_at = utcnow()
        uow.commit()
    received_before = len(webhook_receiver.received)
    results = _together([lambda: attempt(runtime.unit_of_work(), delivery.id) for _ in range(4)])
    assert sorted(results, key=str) == [None, None, None, "pending"]
    assert len(webhook_receiver.received) == received_before + 1


def test_document_numbers_have_no_gaps_or_duplicates_under_parallel_creation(app: APIFlask) -> None:
    runtime = app.extensions["contractdesk"]
    uow = runtime.unit_of_work()
    with uow:
        support = users.user_by_email(uow.session, "support@example.com")
    body = quote_request(account_id(runtime, "Consortium"))
    from app.assembly.schemas import QuoteData

    data = QuoteData.model_validate(body["data"])
    results = _together(
        [
            lambda: creating.create_document(
                runtime.unit_of_work(),
                template="quote",
                data=data,
                external_ref=None,
                actor=support,
            )
            for _ in range(6)
        ]
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    with uow:
        numbers = sorted(uow.session.scalars(select(Document.number)))
    year = utcnow().year
    assert numbers == [f"Q-{year}-{n:06d}" for n in range(1, 7)]


def test_numbers_of_failed_or_abandoned_creations_are_reused(app: APIFlask) -> None:
    runtime = app.extensions["contractdesk"]
    uow = runtime.unit_of_work()
    name = "document:quote:2099"
    first = counters.reserve(uow, name)
    second = counters.reserve(uow, name)
    counters.release(uow, name, first)  # that creation failed
    assert counters.reserve(uow, name) == first
    assert counters.release_stale(uow, older_than=timedelta(hours=1)) == 0
    assert counters.release_stale(uow, older_than=timedelta(seconds=-1)) == 2  # died mid-way
    assert sorted([counters.reserve(uow, name), counters.reserve(uow, name)]) == [first, second]
    assert counters.reserve(uow, name) == second + 1
