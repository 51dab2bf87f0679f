"""Quote validity: a default from configuration, a sweep that expires quotes, and an
expired quote that can be neither sent nor signed."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from apiflask import APIFlask
from sqlalchemy import select

from app.db import utcnow
from app.documents.models import Document
from app.entry import run
from tests.conftest import WAIT, bearer
from tests.support.flows import SIGNER_AGENT, plain_quote_request


def _create(app: APIFlask, who: str = "support@example.com", **data: Any) -> Any:
    body = plain_quote_request(app)
    body["data"].update(data)
    answer = app.test_client().post(
        "/api/v1/documents", json=body, headers={**bearer(app, who), **WAIT}
    )
    assert answer.status_code == 201, answer.json
    return answer.json


def _valid_until(app: APIFlask, document_id: str, until: date) -> None:
    """As if time had passed: the quote's validity ends on `until`."""
    uow = app.extensions["contractdesk"].unit_of_work()
    with uow:
        document = uow.session.scalar(select(Document).where(Document.id == document_id))
        assert document is not None
        document.data = {**document.data, "valid_until": until.isoformat()}
        uow.commit()


def _stored_until(app: APIFlask, document_id: str) -> str:
    uow = app.extensions["contractdesk"].unit_of_work()
    with uow:
        document = uow.session.scalar(select(Document).where(Document.id == document_id))
        assert document is not None
        return str(document.data["valid_until"])


def test_a_quote_is_valid_for_the_configured_days_and_not_into_the_past(app: APIFlask) -> None:
    today = utcnow().date()
    quote = _create(app)
    assert _stored_until(app, quote["id"]) == (today + timedelta(days=30)).isoformat()
    body = plain_quote_request(app)
    body["data"]["valid_until"] = (today - timedelta(days=1)).isoformat()
    refused = app.test_client().post(
        "/api/v1/documents", json=body, headers={**bearer(app, "support@example.com"), **WAIT}
    )
    assert refused.status_code == 422
    assert refused.json["errors"][0]["pointer"] == "/data/valid_until"


def test_the_sweep_expires_quotes_and_an_expired_quote_cannot_be_sent(app: APIFlask) -> None:
    client = app.test_client()
    support = bearer(app, "support@example.com")
    old, fresh = _create(app), _create(app)
    _valid_until(app, old["id"], utcnow().date() - timedelta(days=1))
    assert run(app.extensions["contractdesk"], "documents.expire_quotes", {}) == 1
    assert run(app.extensions["contractdesk"], "documents.expire_quotes", {}) == 0
    doc = client.get(f"/api/v1/documents/{old['id']}", headers=support).json
    assert doc["status"] == "expired"
    assert client.get(f"/api/v1/documents/{fresh['id']}", headers=support).json["status"] == "draft"
    sent = client.post(
        f"/api/v1/documents/{old['id']}/send",
        json={"signers": [{"name": "Helen Marsh", "email": "h.marsh@example.ac.uk"}]},
        headers=support,
    )
    assert sent.status_code == 409 and "expired on" in sent.json["detail"]


def test_a_sent_quote_past_its_validity_cannot_be_signed(app: APIFlask) -> None:
    client = app.test_client()
    quote = _create(app)
    sent = client.post(
        f"/api/v1/documents/{quote['id']}/send",
        json={"signers": [{"name": "Helen Marsh", "email": "h.marsh@example.ac.uk"}]},
        headers=bearer(app, "support@example.com"),
    ).json
    path = sent["signers"][0]["signing_url"].removeprefix("http://localhost")
    client.get(path, headers={"User-Agent": SIGNER_AGENT})
    _valid_until(app, quote["id"], utcnow().date() - timedelta(days=1))
    answer = client.post(
        path,
        data={"typed_name": "Helen Marsh", "consent": "yes"},
        headers={"User-Agent": SIGNER_AGENT},
    )
    assert answer.status_code == 409 and "This quote has expired" in answer.text
    status = client.get(
        f"/api/v1/documents/{quote['id']}", headers=bearer(app, "support@example.com")
    ).json["status"]
    assert status == "sent"


def test_each_support_user_sees_their_quotes_expiring_soon(app: APIFlask) -> None:
    today = utcnow().date()
    soon, later = _create(app), _create(app)
    _valid_until(app, soon["id"], today + timedelta(days=5))
    _valid_until(app, later["id"], today + timedelta(days=40))
    someone_else = _create(app, who="manager@example.com")
    _valid_until(app, someone_else["id"], today + timedelta(days=3))
    listed = (
        app.test_client()
        .get("/api/v1/documents/expiring?days=14", headers=bearer(app, "support@example.com"))
        .json
    )
    assert [(q["number"], q["valid_until"]) for q in listed["quotes"]] == [
        (soon["number"], (today + timedelta(days=5)).isoformat())
    ]
