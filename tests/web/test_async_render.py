"""Create, revise and regenerate answer before the render (issue 23, point 1): 202 with the
document's URL and `render_status`, or with `Prefer: wait=N` the finished document;
`document.ready` goes to the subscribed ERP; an Idempotency-Key gives the same document
across the wait; the document page shows the render's progress and then the files."""

from __future__ import annotations

import re
import threading
import time
from typing import Any

from apiflask import APIFlask
from flask.testing import FlaskClient

from app.billing.signatures import sign
from tests.conftest import WAIT, WebhookReceiver, account_id, bearer, row_counts
from tests.support.flows import plain_quote_request
from tests.web.test_form_errors import quote_form
from tests.web.test_pages import login


def _settled(app: APIFlask) -> None:
    app.extensions["contractdesk"].jobs.wait_idle()


def test_create_answers_202_with_the_location_and_the_status_then_ready(app: APIFlask) -> None:
    client = app.test_client()
    support = bearer(app, "support@example.com")
    created = client.post("/api/v1/documents", json=plain_quote_request(app), headers=support)
    assert created.status_code == 202, created.json
    assert "Preference-Applied" not in created.headers
    location = created.headers["Location"]
    assert location.endswith(f"/api/v1/documents/{created.json['id']}")
    assert created.json["number"].endswith("-000001")
    assert created.json["render_status"] in ("rendering", "ready")
    if created.json["render_status"] == "rendering":
        assert not any(created.json["files"].values())

    _settled(app)
    ready = client.get(location, headers=support).json
    assert ready["render_status"] == "ready" and ready["render_error"] is None
    assert {k for k, url in ready["files"].items() if url} == {"pdf", "docx"}
    assert client.get(ready["files"]["pdf"], headers=support).data.startswith(b"%PDF")
    [listed] = client.get("/api/v1/documents", headers=support).json["documents"]
    assert listed["render_status"] == "ready"


def test_prefer_wait_answers_the_finished_document(app: APIFlask) -> None:
    client = app.test_client()
    support = bearer(app, "support@example.com")
    created = client.post(
        "/api/v1/documents",
        json=plain_quote_request(app),
        headers={**support, "Prefer": "return=representation, wait=30"},
    )
    assert created.status_code == 201, created.json
    assert created.headers["Preference-Applied"] == "wait=30"
    assert created.json["render_status"] == "ready"
    assert {k for k, url in created.json["files"].items() if url} == {"pdf", "docx"}
    assert created.headers["Location"].endswith(created.json["id"])


def test_a_wait_longer_than_the_render_timeout_is_capped(app: APIFlask) -> None:
    timeout = app.extensions["contractdesk"].settings.render_timeout_seconds
    created = app.test_client().post(
        "/api/v1/documents",
        json=plain_quote_request(app),
        headers={**bearer(app, "support@example.com"), "Prefer": "wait=100000"},
    )
    assert created.status_code == 201
    assert created.headers["Preference-Applied"] == f"wait={int(timeout)}"


def test_revise_and_regenerate_answer_202_then_the_new_version_is_ready(app: APIFlask) -> None:
    client = app.test_client()
    support = bearer(app, "support@example.com")
    body = plain_quote_request(app)
    created = client.post("/api/v1/documents", json=body, headers={**support, **WAIT}).json
    url = f"/api/v1/documents/{created['id']}"
    body["data"]["lines"][0]["quantity"] = 2
    revised = client.put(f"{url}/data", json={"data": body["data"]}, headers=support)
    assert revised.status_code == 202, revised.json
    assert revised.json["version"] == 2 and revised.headers["Location"].endswith(url)
    _settled(app)
    assert client.get(url, headers=support).json["render_status"] == "ready"

    regenerated = client.post(f"{url}/regenerate", headers=support)
    assert regenerated.status_code == 202, regenerated.json
    assert regenerated.json["version"] == 3
    waited = client.post(f"{url}/regenerate", headers={**support, "Prefer": "wait=60"})
    assert waited.status_code == 201, waited.json
    assert waited.json == {
        "id": created["id"],
        "version": 4,
        "render_status": "ready",
        "render_error": None,
    }
    _settled(app)
    pdf = client.get(f"{url}/files/pdf?version=3", headers=support)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_a_retry_with_the_same_key_during_the_wait_gets_the_same_document(
    app: APIFlask,
) -> None:
    """The first request waits for its render; retries with its Idempotency-Key meanwhile
    get its document (202 while it renders, the finished one after), never a second."""
    support = bearer(app, "support@example.com")
    headers = {**support, "Idempotency-Key": "crm-button-42", "Prefer": "wait=60"}
    body = plain_quote_request(app)
    first: dict[str, Any] = {}

    def press() -> None:
        answer = app.test_client().post("/api/v1/documents", json=body, headers=headers)
        first.update(status=answer.status_code, json=answer.json, headers=dict(answer.headers))

    pressing = threading.Thread(target=press)
    pressing.start()
    retries = []
    while pressing.is_alive() or not retries:
        retry = app.test_client().post("/api/v1/documents", json=body, headers=headers)
        retries.append(retry)
        time.sleep(0.05)
    pressing.join()
    # Whichever request claimed the key first made the document and waited for it (201);
    # the others were refused while it was not yet recorded (409) or were given its
    # document: 202 while it rendered, the finished answer after.
    answers = [(first["status"], first["json"], first["headers"])] + [
        (r.status_code, r.json, dict(r.headers)) for r in retries
    ]
    made = [a for a in answers if a[0] != 409 and "Idempotent-Replayed" not in a[2]]
    assert [status for status, _, _ in made] == [201]
    document_id = made[0][1]["id"]
    for status, body, _ in answers:
        assert status in (201, 202, 409)
        if status != 409:
            assert body["id"] == document_id
    _settled(app)
    assert row_counts(app.extensions["contractdesk"])["document"] == 1


def test_a_202_is_replayed_for_its_key_and_makes_nothing_twice(app: APIFlask) -> None:
    client = app.test_client()
    headers = {**bearer(app, "support@example.com"), "Idempotency-Key": "crm-7"}
    body = plain_quote_request(app)
    first = client.post("/api/v1/documents", json=body, headers=headers)
    assert first.status_code == 202
    _settled(app)
    again = client.post("/api/v1/documents", json=body, headers=headers)
    assert again.status_code == 202 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json["id"] == first.json["id"]
    assert again.headers["Location"] == first.headers["Location"]
    assert row_counts(app.extensions["contractdesk"])["document"] == 1


def test_document_ready_reaches_the_erp_signed(
    app: APIFlask, webhook_receiver: WebhookReceiver
) -> None:
    client = app.test_client()
    subscribed = client.post(
        "/api/v1/webhook-endpoints",
        json={"url": webhook_receiver.url, "events": ["document.ready"]},
        headers=bearer(app, "finance@example.com"),
    )
    assert subscribed.status_code == 201, subscribed.json
    secret = subscribed.json["secret"]
    created = client.post(
        "/api/v1/documents",
        json=plain_quote_request(app),
        headers=bearer(app, "support@example.com"),
    )
    assert created.status_code == 202
    _settled(app)
    webhook_receiver.wait_for(1)
    [hook] = webhook_receiver.received
    event = hook.json
    assert event["type"] == "document.ready"
    assert event["data"]["document_id"] == created.json["id"]
    assert event["data"]["version"] == 1
    assert event["data"]["event_id"] == hook.headers["webhook-id"]
    expected = sign(
        secret,
        msg_id=hook.headers["webhook-id"],
        timestamp=int(hook.headers["webhook-timestamp"]),
        body=hook.body,
    )
    assert expected in hook.headers["webhook-signature"].split(" ")
    spec = client.get("/api/openapi.json").json
    assert "document.ready" in spec["webhooks"]
    assert "document.ready" in str(spec["components"]["schemas"]["WebhookEndpointIn"])


def _document_page(client: FlaskClient, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200
    return page.text


def test_the_document_page_shows_progress_then_the_files(app: APIFlask) -> None:
    client = login(app, "support@example.com")
    created = client.post(
        "/documents/new",
        data=quote_form(
            client,
            account=account_id(app.extensions["contractdesk"], "University"),
            discount_percent="0",
        ),
    )
    assert created.status_code == 302, created.text
    path = created.headers["Location"]
    first = _document_page(client, path)
    if "/files/pdf" not in first:  # still rendering: the page says so and refreshes itself
        assert '<meta http-equiv="refresh" content="2">' in first
        assert "<progress" in first and "this page updates itself" in first
    _settled(app)
    done = _document_page(client, path)
    assert 'http-equiv="refresh"' not in done and "<progress" not in done
    assert re.search(r"/files/pdf\?version=1", done)
