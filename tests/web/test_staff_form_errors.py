"""The admin's, the library's and finance's forms answer a mistake as the quote form does:
the same page (422), the message beside the field in the user's language, what was typed
kept, a summary at the top linking to the fields, nothing changed; a refusal that names no
field is said at the top of the page, in the user's language."""

from __future__ import annotations

import uuid

from apiflask import APIFlask
from flask.testing import FlaskClient

from tests.conftest import WebhookReceiver, bearer, csrf_token, row_counts
from tests.web.test_document_form_errors import _summary
from tests.web.test_form_errors import (
    DEVELOPER_WORDS,
    choose_language,
    field_error,
    shown,
    sign_in,
    summary_links,
)


def test_a_key_beyond_the_users_role_is_refused_beside_the_scopes(
    app: APIFlask, client: FlaskClient
) -> None:
    runtime = app.extensions["contractdesk"]
    sign_in(client, "admin@example.com")
    page = client.get("/admin/api-keys")
    before = row_counts(runtime)
    answer = client.post(
        "/admin/api-keys",
        data={
            "csrf_token": csrf_token(page.text),
            "user": "support@example.com",
            "name": "CRM quote button",
            "scopes": ["documents:read", "webhooks:manage"],
        },
    )
    assert answer.status_code == 422 and answer.mimetype == "text/html"
    text = answer.text
    assert field_error(text, "key-scopes") == (
        "This user's role does not allow webhooks:manage: untick it, or choose another user."
    )
    assert summary_links(text) == {"key-scopes": "Scopes"}
    assert 'value="CRM quote button"' in text
    assert '<option value="support@example.com" selected>' in text
    assert 'value="webhooks:manage" checked' in text and 'value="documents:send">' in text
    assert row_counts(runtime) == before


def test_a_dutch_admin_reads_a_missing_name_in_dutch(app: APIFlask, client: FlaskClient) -> None:
    sign_in(client, "admin@example.com")
    choose_language(client, "nl")
    page = client.get("/admin/api-keys")
    answer = client.post(
        "/admin/api-keys",
        data={"csrf_token": csrf_token(page.text), "user": "finance@example.com", "name": " "},
    )
    assert answer.status_code == 422
    assert field_error(answer.text, "key-name") == "Vul dit veld in."
    assert summary_links(answer.text) == {"key-name": "Waarvoor hij dient"}


def _draft(client: FlaskClient, **fields: str) -> object:
    page = client.get("/library/clauses/payment-terms")
    return client.post(
        "/library/clauses/payment-terms/drafts",
        data={
            "csrf_token": csrf_token(page.text),
            "language": "en",
            "jurisdiction": "",
            "position": "preferred",
            "title": "Invoicing and payment",
            "body": "Invoices are payable within 45 days.",
            **fields,
        },
    )


def test_a_clause_text_with_a_mistake_is_said_beside_the_text_in_dutch(
    app: APIFlask, client: FlaskClient
) -> None:
    runtime = app.extensions["contractdesk"]
    sign_in(client, "legal@example.com")
    choose_language(client, "nl")
    before = row_counts(runtime)
    answer = _draft(client, title="Betaling", body="{{ seller.name  will invoice")
    assert answer.status_code == 422 and answer.mimetype == "text/html"
    text = answer.text
    assert field_error(text, "body") == (
        "Regel 1 bevat een fout in een {{ }} of {% %}: controleer of elk ervan gesloten is en "
        "een bekend veld noemt."
    )
    assert summary_links(text) == {"body": "Tekst (Markdown)"}
    assert 'value="Betaling"' in text and "{{ seller.name  will invoice</textarea>" in text
    assert not DEVELOPER_WORDS.search(shown(text)) and "unexpected" not in text
    assert row_counts(runtime) == before


def test_sending_back_without_a_comment_asks_for_one_and_a_second_submit_is_refused(
    app: APIFlask, client: FlaskClient
) -> None:
    runtime = app.extensions["contractdesk"]
    sign_in(client, "legal@example.com")
    version_url = _draft(client).headers["Location"]
    page = client.get(version_url)
    submitted = client.post(version_url + "/submit", data={"csrf_token": csrf_token(page.text)})
    assert submitted.status_code == 302
    before = row_counts(runtime)
    again = client.post(version_url + "/submit", data={"csrf_token": csrf_token(page.text)})
    assert again.status_code == 409
    assert _summary(again.text) == "Only a draft can be changed or submitted."

    reviewer = app.test_client()
    sign_in(reviewer, "legal2@example.com")
    review = reviewer.get(version_url)
    answer = reviewer.post(
        version_url + "/send-back", data={"csrf_token": csrf_token(review.text), "comment": " "}
    )
    assert answer.status_code == 422
    assert field_error(answer.text, "comment") == "Say what needs to change."
    assert summary_links(answer.text) == {"comment": "Comment"}
    assert row_counts(runtime) == before


def test_finance_reads_a_refused_replay_at_the_top_in_dutch(
    app: APIFlask, client: FlaskClient, webhook_receiver: WebhookReceiver
) -> None:
    endpoint = (
        app.test_client()
        .post(
            "/api/v1/webhook-endpoints",
            json={"url": webhook_receiver.url, "events": ["invoice.trigger"]},
            headers=bearer(app, "finance@example.com"),
        )
        .json
    )
    sign_in(client, "finance@example.com")
    choose_language(client, "nl")
    page = client.get(f"/finance/webhooks/{endpoint['id']}")
    before = row_counts(app.extensions["contractdesk"])
    answer = client.post(
        f"/finance/events/{uuid.uuid4()}/replay",
        data={"csrf_token": csrf_token(page.text), "endpoint_id": endpoint["id"]},
    )
    assert answer.status_code == 404
    assert _summary(answer.text) == "Dit bestaat niet meer."
    assert "no event" not in answer.text
    assert row_counts(app.extensions["contractdesk"]) == before
