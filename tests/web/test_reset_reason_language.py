"""An approval voided by a change after it says what changed in the reader's language: a
Dutch manager reads the fields and figures in Dutch; the API keeps its English sentence."""

from __future__ import annotations

from apiflask import APIFlask

from tests.conftest import PASSWORD, WAIT, account_id, bearer, csrf_token
from tests.support.flows import quote_request
from tests.web.test_i18n_pages import english_left, page_text, translated_strings


def test_a_voided_approval_says_what_changed_in_dutch(app: APIFlask) -> None:
    client = app.test_client()
    support = bearer(app, "support@example.com")
    body = quote_request(account_id(app.extensions["contractdesk"], "University"))
    quote = client.post("/api/v1/documents", json=body, headers={**support, **WAIT}).json
    approved = client.post(
        f"/api/v1/documents/{quote['id']}/approvals",
        json={"decision": "approve", "comment": "fine"},
        headers=bearer(app, "manager@example.com"),
    )
    assert approved.status_code == 201, approved.json
    body["data"]["notes"] = "Three-year relationship"
    body["data"]["lines"][1]["quantity"] = 3
    revised = client.put(
        f"/api/v1/documents/{quote['id']}/data",
        json={"data": body["data"]},
        headers={**support, **WAIT},
    )
    assert revised.status_code == 200, revised.json
    document = client.get(f"/api/v1/documents/{quote['id']}", headers=support).json
    api_reason = document["approvals"][0]["reset_reason"]
    assert "notes" in api_reason and "line 2 quantity 2 → 3" in api_reason

    page_client = app.test_client()
    login = page_client.get("/login")
    page_client.post(
        "/login",
        data={
            "email": "manager@example.com",
            "password": PASSWORD,
            "csrf_token": csrf_token(login.text),
        },
    )
    page_client.post(
        "/account/language",
        data={"csrf_token": csrf_token(page_client.get("/").text), "language": "nl", "next": "/"},
    )
    page = page_client.get(f"/documents/{quote['id']}").text
    text = page_text(page)
    assert "opmerkingen" in text and "regel 2: aantal 2 → 3" in text
    assert english_left(page, translated_strings()) == []
