"""Webhooks as an ERP meets them: every event type, in order per document, signed with
both secrets during a rotation, retried for days, disabled on 410 or after days of
failure (its owner told), logged attempt by attempt, replayable; and whatever happens, the
receiver's ledger holds each invoice once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from apiflask import APIFlask
from sqlalchemy import select
from standardwebhooks import Webhook

from app.billing.tasks import retry_due
from app.db import utcnow
from app.notifications.models import Notification
from app.users.models import User
from tests.conftest import WebhookReceiver, bearer, build_app, make_settings
from tests.support.flows import create_and_send, sign_as, signed_licence

ALL = [
    "document.created",
    "document.approved",
    "document.sent",
    "document.signed",
    "invoice.trigger",
]


def _subscribe(app: APIFlask, receiver: WebhookReceiver, events: list[str]) -> dict[str, Any]:
    answer = app.test_client().post(
        "/api/v1/webhook-endpoints",
        json={"url": receiver.url, "events": events},
        headers=bearer(app, "finance@example.com"),
    )
    assert answer.status_code == 201, answer.json
    return dict(answer.json)


def _signed_quote(app: APIFlask) -> str:
    document_id, link = create_and_send(app)
    assert sign_as(app.test_client(), link, "Helen Marsh").status_code == 200
    app.extensions["contractdesk"].jobs.wait_idle()
    return document_id


def _types(receiver: WebhookReceiver) -> list[str]:
    return [hook.json["type"] for hook in receiver.received]


def _invoices(receiver: WebhookReceiver) -> list[str]:
    return [k for k, v in receiver.ledger.items() if v["type"] == "invoice.trigger"]


def test_an_endpoint_gets_each_event_type_in_order_signed(
    app: APIFlask, webhook_receiver: WebhookReceiver
) -> None:
    endpoint = _subscribe(app, webhook_receiver, ALL)
    document_id = _signed_quote(app)
    assert _types(webhook_receiver) == [
        "document.created",
        "document.sent",
        "document.signed",
        "invoice.trigger",
    ]
    for hook in webhook_receiver.received:
        payload = Webhook(endpoint["secret"]).verify(hook.body, hook.headers)
        assert payload["data"]["document_id"] == document_id
    trigger = webhook_receiver.received[-1].json["data"]
    today = utcnow().date()
    assert trigger["bill_to"]["erp_id"] == "ERP-10021"
    assert (trigger["invoice_on"], trigger["due_on"]) == (
        today.isoformat(),
        (today + timedelta(days=30)).isoformat(),
    )
    assert trigger["period"] == {
        "number": 1,
        "start": f"{today.year}-01-01",
        "end": f"{today.year}-12-31",
    }
    assert trigger["schedule"] == [
        {
            "period": 1,
            "start": f"{today.year}-01-01",
            "end": f"{today.year}-12-31",
            "invoice_on": today.isoformat(),
            "net": trigger["net"],
            "tax": trigger["tax"],
            "total": trigger["total"],
            "status": "invoiced",
        }
    ]


def test_a_licence_is_billed_once_a_year_of_its_term(
    app: APIFlask, webhook_receiver: WebhookReceiver
) -> None:
    _subscribe(app, webhook_receiver, ["invoice.trigger"])
    licence = signed_licence(app)  # 2027 to 2029, 3 % uplift
    app.extensions["contractdesk"].jobs.wait_idle()
    [hook] = webhook_receiver.received  # the first year's invoice; the sweep sends the rest
    data = hook.json["data"]
    assert (
        data["period"]["start"] == "2027-01-01" and data["contract"]["number"] == licence["number"]
    )
    schedule = data["schedule"]
    assert [line["invoice_on"] for line in schedule] == ["2027-01-01", "2028-01-01", "2029-01-01"]
    assert schedule[0]["total"] == data["total"]
    assert sum(float(line["total"]) for line in schedule) == pytest.approx(
        float(licence["totals"]["total"])
    )


def test_a_later_event_waits_for_an_earlier_one_about_the_same_document(
    app: APIFlask, webhook_receiver: WebhookReceiver
) -> None:
    webhook_receiver.answers = [500, 200]
    _subscribe(app, webhook_receiver, ALL)
    runtime = app.extensions["contractdesk"]
    _signed_quote(app)
    assert _types(webhook_receiver) == ["document.created"]  # refused; the rest wait
    retry_due(runtime, now=utcnow() + timedelta(minutes=1))
    runtime.jobs.wait_idle()
    assert _types(webhook_receiver) == [
        "document.created",
        "document.created",
        "document.sent",
        "document.signed",
        "invoice.trigger",
    ]
    assert len(_invoices(webhook_receiver)) == 1


def test_during_a_rotation_both_secrets_verify_each_message(
    app: APIFlask, webhook_receiver: WebhookReceiver
) -> None:
    old = _subscribe(app, webhook_receiver, ["invoice.trigger"])
    rotated = app.test_client().post(
        f"/api/v1/webhook-endpoints/{old['id']}/rotate-secret",
        json={"keep_previous_hours": 24},
        headers=bearer(app, "finance@example.com"),
    )
    assert rotated.status_code == 200
    new_secret = rotated.json["secret"]
    assert new_secret != old["secret"]
    _signed_quote(app)
    [hook] = webhook_receiver.received
    assert len(hook.headers["webhook-signature"].split(" ")) == 2
    for secret in (old["secret"], new_secret):
        assert Webhook(secret).verify(hook.body, hook.headers)["type"] == "invoice.trigger"


def test_410_gone_disables_the_endpoint_tells_its_owner_and_nothing_is_lost(
    app: APIFlask, webhook_receiver: WebhookReceiver
) -> None:
    webhook_receiver.answers = [410, 200]
    endpoint = _subscribe(app, webhook_receiver, ["invoice.trigger"])
    runtime = app.extensions["contractdesk"]
    first = _signed_quote(app)
    second = _signed_quote(app)
    assert len(webhook_receiver.received) == 1  # the second waits: the endpoint is disabled
    client = app.test_client()
    finance = bearer(app, "finance@example.com")
    [health] = client.get("/api/v1/webhook-endpoints", headers=finance).json["endpoints"]
    assert health["state"] == "disabled" and "410 Gone" in health["disabled_reason"]
    assert (health["failed"], health["pending"]) == (1, 1)
    uow = runtime.unit_of_work()
    with uow:
        [note] = uow.session.scalars(select(Notification)).all()
        assert "was disabled: it answered 410 Gone" in note.message
        owner = uow.session.scalar(select(User).where(User.email == "finance@example.com"))
        assert owner is not None and note.user_id == owner.id

    enabled = client.patch(
        f"/api/v1/webhook-endpoints/{endpoint['id']}", json={"enabled": True}, headers=finance
    )
    assert enabled.status_code == 200
    runtime.jobs.wait_idle()
    assert [h.json["data"]["document_id"] for h in webhook_receiver.received][1:] == [second]

    [failed] = client.get(
        f"/api/v1/webhook-endpoints/{endpoint['id']}/deliveries?status=failed", headers=finance
    ).json["deliveries"]
    assert failed["document_id"] == first
    assert [a["status_code"] for a in failed["attempts"]] == [410]
    replayed = client.post(
        f"/api/v1/events/{failed['webhook_id']}/replay", json={}, headers=finance
    )
    assert replayed.status_code == 202
    runtime.jobs.wait_idle()
    assert len(_invoices(webhook_receiver)) == 2


def test_an_endpoint_failing_for_three_days_is_disabled(
    app: APIFlask, webhook_receiver: WebhookReceiver
) -> None:
    webhook_receiver.answers = [500]
    endpoint = _subscribe(app, webhook_receiver, ["invoice.trigger"])
    runtime = app.extensions["contractdesk"]
    _signed_quote(app)
    hours = 0
    while hours < 24 * 4:
        hours += 1
        retry_due(runtime, now=utcnow() + timedelta(hours=hours))
    finance = bearer(app, "finance@example.com")
    [health] = app.test_client().get("/api/v1/webhook-endpoints", headers=finance).json["endpoints"]
    assert health["state"] == "disabled"
    assert "failed for 3 days (last: HTTP 500)" in health["disabled_reason"]
    [delivery] = (
        app.test_client()
        .get(f"/api/v1/webhook-endpoints/{endpoint['id']}/deliveries", headers=finance)
        .json["deliveries"]
    )
    attempts = delivery["attempts"]
    span = attempts[-1]["at"] > attempts[0]["at"]
    assert delivery["status"] == "failed" and span and len(attempts) >= 12
    assert all(a["status_code"] == 500 and a["response_excerpt"] == "not now" for a in attempts)


@pytest.fixture
def impatient_app(postgres_url: str, tmp_path: Path, instance_dir: Path) -> Iterator[APIFlask]:
    app = build_app(make_settings(postgres_url, tmp_path, instance_dir, webhook_timeout_seconds=1))
    yield app
    app.extensions["contractdesk"].close()


def test_a_receiver_that_times_out_then_answers_books_the_invoice_once(
    impatient_app: APIFlask, webhook_receiver: WebhookReceiver
) -> None:
    app = impatient_app
    webhook_receiver.stall_first = 3  # longer than the 1 s timeout; it still books it
    endpoint = _subscribe(app, webhook_receiver, ["invoice.trigger"])
    runtime = app.extensions["contractdesk"]
    _signed_quote(app)
    retry_due(runtime, now=utcnow() + timedelta(minutes=1))
    webhook_receiver.wait_for(2)
    finance = bearer(app, "finance@example.com")
    [delivery] = (
        app.test_client()
        .get(f"/api/v1/webhook-endpoints/{endpoint['id']}/deliveries", headers=finance)
        .json["deliveries"]
    )
    assert "Timeout" in (delivery["attempts"][0]["error"] or "")
    assert delivery["status"] == "delivered"
    assert len({h.headers["webhook-id"] for h in webhook_receiver.received}) == 1
    assert len(_invoices(webhook_receiver)) == 1
