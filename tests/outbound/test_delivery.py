"""Deliveries meet the guard at connect time: a name rebound inward after registration is
refused (failed at once, with the reason and no answer shown, endpoint disabled), a
redirect is logged and not followed, and only a short excerpt of any answer is kept."""

from __future__ import annotations

from typing import Any

from apiflask import APIFlask

from tests.conftest import WAIT, bearer
from tests.outbound.conftest import SECRET, FakeDns, Server
from tests.support.flows import plain_quote_request


def _subscribe(app: APIFlask, url: str) -> str:
    answer = app.test_client().post(
        "/api/v1/webhook-endpoints",
        json={"url": url, "events": ["document.created"]},
        headers=bearer(app, "finance@example.com"),
    )
    assert answer.status_code == 201, answer.json
    return str(answer.json["id"])


def _create_document(app: APIFlask) -> None:
    created = app.test_client().post(
        "/api/v1/documents",
        json=plain_quote_request(app),
        headers={**bearer(app, "support@example.com"), **WAIT},
    )
    assert created.status_code == 201, created.json
    app.extensions["contractdesk"].jobs.wait_idle()


def _log(app: APIFlask, endpoint_id: str) -> list[dict[str, Any]]:
    answer = app.test_client().get(
        f"/api/v1/webhook-endpoints/{endpoint_id}/deliveries",
        headers=bearer(app, "finance@example.com"),
    )
    assert answer.status_code == 200
    return list(answer.json["deliveries"])


def _endpoint(app: APIFlask, endpoint_id: str) -> dict[str, Any]:
    listed = (
        app.test_client()
        .get("/api/v1/webhook-endpoints", headers=bearer(app, "finance@example.com"))
        .json["endpoints"]
    )
    return next(e for e in listed if e["id"] == endpoint_id)


def test_a_name_rebound_inward_after_registration_is_refused_at_delivery(
    app: APIFlask, fake_dns: FakeDns, receiver: Server, twin: Server
) -> None:
    fake_dns.answers["erp.rebind.test"] = ["127.0.0.1"]
    endpoint_id = _subscribe(app, f"http://erp.rebind.test:{receiver.port}/hook")
    fake_dns.answers["erp.rebind.test"] = ["127.0.0.2"]  # the attacker's DNS turns inward

    _create_document(app)

    assert twin.hits == [] and receiver.hits == []
    [delivery] = _log(app, endpoint_id)
    assert delivery["status"] == "failed"
    [attempt] = delivery["attempts"]
    assert attempt["status_code"] is None and attempt["response_excerpt"] == ""
    assert attempt["error"] == "refused: erp.rebind.test (127.0.0.2) is a loopback address"
    assert attempt["duration_ms"] >= 0
    endpoint = _endpoint(app, endpoint_id)
    assert endpoint["state"] == "disabled"
    assert "refused" in endpoint["disabled_reason"] and "127.0.0.2" in endpoint["disabled_reason"]
    assert SECRET not in str(_log(app, endpoint_id))


def test_a_redirect_from_the_receiver_is_logged_not_followed(
    app: APIFlask, receiver: Server, internal_service: Server
) -> None:
    receiver.status, receiver.body = 307, "moved"
    receiver.location = f"{internal_service.url}/latest/meta-data/"
    endpoint_id = _subscribe(app, f"{receiver.url}/hook")

    _create_document(app)

    assert len(receiver.hits) == 1 and internal_service.hits == []
    [delivery] = _log(app, endpoint_id)
    assert delivery["status"] == "pending"  # not a 2xx: retried later
    [attempt] = delivery["attempts"]
    assert attempt["status_code"] == 307 and attempt["response_excerpt"] == "moved"
    assert SECRET not in str(delivery)


def test_only_a_short_excerpt_of_an_answer_is_kept(app: APIFlask, receiver: Server) -> None:
    receiver.body = "x" * 2_000_000
    endpoint_id = _subscribe(app, f"{receiver.url}/hook")

    _create_document(app)

    [delivery] = _log(app, endpoint_id)
    assert delivery["status"] == "delivered"
    assert delivery["attempts"][0]["response_excerpt"] == "x" * 500
