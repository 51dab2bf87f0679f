"""Finance's webhook pages: health, every attempt, enable again, replay; and the owner of
a disabled endpoint told on their dashboard."""

from __future__ import annotations

from apiflask import APIFlask
from flask.testing import FlaskClient

from tests.conftest import PASSWORD, WebhookReceiver, bearer, csrf_token
from tests.support.flows import create_and_send, sign_as


def _login(client: FlaskClient, email: str) -> None:
    page = client.get("/login")
    client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": csrf_token(page.text)},
    )


def test_finance_sees_the_410_enables_the_endpoint_again_and_replays(
    app: APIFlask, webhook_receiver: WebhookReceiver
) -> None:
    webhook_receiver.answers = [410, 200]
    endpoint = (
        app.test_client()
        .post(
            "/api/v1/webhook-endpoints",
            json={"url": webhook_receiver.url, "events": ["invoice.trigger"], "description": "ERP"},
            headers=bearer(app, "finance@example.com"),
        )
        .json
    )
    document_id, link = create_and_send(app)
    assert sign_as(app.test_client(), link, "Helen Marsh").status_code == 200
    runtime = app.extensions["contractdesk"]
    runtime.jobs.wait_idle()

    client = app.test_client()
    _login(client, "finance@example.com")
    dashboard = client.get("/").text
    assert (
        f"Webhook endpoint {webhook_receiver.url} was disabled: it answered 410 Gone" in dashboard
    )
    listing = client.get("/finance/webhooks").text
    assert "disabled" in listing and "it answered 410 Gone" in listing

    log = client.get(f"/finance/webhooks/{endpoint['id']}")
    assert log.status_code == 200
    assert "410 ·" in log.text and "invoice.trigger" in log.text
    number = (
        app.test_client()
        .get(f"/api/v1/documents/{document_id}", headers=bearer(app, "finance@example.com"))
        .json["number"]
    )
    assert f"Quote {number}</a>" in log.text, "the delivery row names its document"
    client.post(
        f"/finance/webhooks/{endpoint['id']}/enabled",
        data={"csrf_token": csrf_token(log.text), "enabled": "yes"},
    )
    event_id = log.text.split("/finance/events/")[1].split("/replay")[0]
    replayed = client.post(
        f"/finance/events/{event_id}/replay",
        data={"csrf_token": csrf_token(log.text), "endpoint_id": endpoint["id"]},
        follow_redirects=True,
    )
    assert "Replayed with the same webhook-id." in replayed.text
    runtime.jobs.wait_idle()
    assert [h.json["type"] for h in webhook_receiver.received] == ["invoice.trigger"] * 2
    assert len(webhook_receiver.ledger) == 1
    assert "healthy" in client.get("/finance/webhooks").text

    support = app.test_client()
    _login(support, "support@example.com")
    assert support.get("/finance/webhooks").status_code in (302, 403)
