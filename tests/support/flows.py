"""The steps many tests walk through, done the way a CRM and a customer do them: over HTTP."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from apiflask import APIFlask
from flask.testing import FlaskClient

from app.config import PROJECT_ROOT
from tests.conftest import WAIT, WebhookReceiver, account_id, bearer

SIGNER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) TestBrowser/1.0"


def quote_request(account: str) -> dict[str, Any]:
    """A quote with a 15 % line discount, so it needs a manager's approval."""
    return {
        "template": "quote",
        "external_ref": "OPP-4711",
        "data": {
            "account": account,
            "currency": "GBP",
            "po_number": "PO-88-2027",
            "lines": [
                {"sku": "JNL-PHYS", "quantity": 1, "discount_percent": "15"},
                {"sku": "EBK-STM-2026", "quantity": 2},
                {"description": "On-site training day", "unit_price": "950.00", "quantity": 1},
            ],
            "discount_percent": "5",
            "tax_rate_percent": "20",
        },
    }


def plain_quote_request(app: APIFlask, **changes: Any) -> dict[str, Any]:
    """The same quote without discounts: it can be sent at once. `changes` replace data
    fields (language="nl", currency="EUR" for a Dutch quote)."""
    body = quote_request(account_id(app.extensions["contractdesk"], "University"))
    body["data"]["lines"][0]["discount_percent"] = "0"
    body["data"]["discount_percent"] = "0"
    body["data"].update(changes)
    return body


def sign_as(client: FlaskClient, url: str, name: str) -> Any:
    """Open a signing link like a browser, type the name, consent, sign."""
    path = urlsplit(url).path
    page = client.get(path, headers={"User-Agent": SIGNER_AGENT})
    assert page.status_code == 200, page.text
    return client.post(
        path,
        data={"typed_name": name, "consent": "yes"},
        headers={"User-Agent": SIGNER_AGENT},
    )


def create_and_send(app: APIFlask, **changes: Any) -> tuple[str, str]:
    """A plain quote created and sent to one signer: (document id, signing link path)."""
    client = app.test_client()
    support = bearer(app, "support@example.com")
    body = plain_quote_request(app, **changes)
    doc = client.post("/api/v1/documents", json=body, headers={**support, **WAIT}).json
    sent = client.post(
        f"/api/v1/documents/{doc['id']}/send",
        json={"signers": [{"name": "Helen Marsh", "email": "h.marsh@example.ac.uk"}]},
        headers=support,
    ).json
    return doc["id"], sent["signers"][0]["signing_url"].removeprefix("http://localhost")


def signed_quote(app: APIFlask, receiver: WebhookReceiver) -> str:
    """Register the ERP's endpoint, then create, send and sign a quote; its id."""
    client = app.test_client()
    client.post(
        "/api/v1/webhook-endpoints",
        json={"url": receiver.url, "events": ["invoice.trigger"]},
        headers=bearer(app, "finance@example.com"),
    )
    document_id, link = create_and_send(app)
    assert sign_as(client, link, "Helen Marsh").status_code == 200
    return document_id


def send_and_sign(app: APIFlask, document_id: str, name: str = "Helen Marsh") -> None:
    """Send a document that needs no more approval to one signer, who signs it."""
    client = app.test_client()
    sent = client.post(
        f"/api/v1/documents/{document_id}/send",
        json={"signers": [{"name": name, "email": "signer@example.org"}]},
        headers=bearer(app, "support@example.com"),
    )
    assert sent.status_code == 200, sent.json
    link = sent.json["signers"][0]["signing_url"]
    assert sign_as(client, link, name).status_code == 200


def signed_licence(app: APIFlask, **changes: Any) -> dict[str, Any]:
    """The shipped sample licence for the Dutch consortium, created, sent and signed."""
    sample = PROJECT_ROOT / "contract_templates/licence-agreement/sample.json"
    data: dict[str, Any] = json.loads(sample.read_text())
    data["account"] = account_id(app.extensions["contractdesk"], "Consortium")
    data.update(changes)
    created = app.test_client().post(
        "/api/v1/documents",
        json={"template": "licence-agreement", "data": data},
        headers={**bearer(app, "support@example.com"), **WAIT},
    )
    assert created.status_code == 201 and created.json["status"] == "draft", created.json
    send_and_sign(app, created.json["id"])
    return dict(created.json)
