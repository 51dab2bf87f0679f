"""After a quote is signed: the customer's order confirmation, and finance cancelling the
contract wholly or line by line, each credit reaching the ERP once as `invoice.credit`."""

from __future__ import annotations

import io
import time
import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

from apiflask import APIFlask
from pypdf import PdfReader

from app.db import utcnow
from app.documents.order_confirmation import confirm_order
from tests.conftest import WAIT, WebhookReceiver, account_id, bearer, row_counts
from tests.support.flows import plain_quote_request, send_and_sign

D = Decimal


def _text(pdf: bytes) -> str:
    return " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


def _signed(app: APIFlask, body: dict[str, Any]) -> dict[str, Any]:
    client = app.test_client()
    created = client.post(
        "/api/v1/documents", json=body, headers={**bearer(app, "support@example.com"), **WAIT}
    )
    assert created.status_code == 201, created.json
    send_and_sign(app, created.json["id"])
    return dict(created.json)


def _confirmation(app: APIFlask, document_id: str) -> bytes:
    """The confirmation is made by a job after the signature: wait for it."""
    client = app.test_client()
    support = bearer(app, "support@example.com")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        answer = client.get(f"/api/v1/documents/{document_id}/files/confirmation", headers=support)
        if answer.status_code == 200:
            return bytes(answer.data)
        time.sleep(0.2)
    raise AssertionError("no order confirmation was stored")


def test_a_signed_quote_gets_an_order_confirmation_once(app: APIFlask) -> None:
    quote = _signed(app, plain_quote_request(app))
    text = _text(_confirmation(app, quote["id"]))
    today = utcnow().date()
    assert "Order confirmation" in text
    assert f"This confirms quote {quote['number']}" in text
    assert "PO-88-2027" in text
    assert "On-site training day" in text
    assert "£" in text and quote["totals"]["total"][:2] in text.replace(",", "")
    assert (today + timedelta(days=30)).strftime("%-d %B %Y") in text  # due date
    assert "Sam Support at support@example.com" in text
    runtime = app.extensions["contractdesk"]
    assert confirm_order(runtime.unit_of_work(), uuid.UUID(quote["id"])) is False


def test_a_dutch_quote_is_confirmed_in_dutch(app: APIFlask) -> None:
    body = plain_quote_request(app)
    body["data"]["language"] = "nl"
    body["data"]["account"] = account_id(app.extensions["contractdesk"], "Consortium")
    quote = _signed(app, body)
    text = _text(_confirmation(app, quote["id"]))
    assert "Orderbevestiging" in text and "Uw inkoopordernummer PO-88-2027" in text


def test_finance_cancels_a_line_then_the_rest_and_the_erp_books_each_credit_once(
    app: APIFlask, webhook_receiver: WebhookReceiver
) -> None:
    client = app.test_client()
    finance = bearer(app, "finance@example.com")
    client.post(
        "/api/v1/webhook-endpoints",
        json={"url": webhook_receiver.url, "events": ["invoice.trigger", "invoice.credit"]},
        headers=finance,
    )
    quote = _signed(app, plain_quote_request(app))
    runtime = app.extensions["contractdesk"]
    support_key = bearer(app, "support@example.com")
    runtime.jobs.wait_idle()  # the confirmation and the trigger's delivery are done

    before = row_counts(runtime)
    support = client.post(
        f"/api/v1/documents/{quote['id']}/cancel",
        json={"reason": "customer withdrew"},
        headers=support_key,
    )
    assert support.status_code == 403
    bad = client.post(
        f"/api/v1/documents/{quote['id']}/cancel",
        json={"reason": "wrong line", "lines": [7]},
        headers=finance,
    )
    assert bad.status_code == 422 and bad.json["errors"][0]["pointer"] == "/lines/0"
    assert row_counts(runtime) == before

    # the training day (line 2): 950.00 and 20 % VAT
    partial = client.post(
        f"/api/v1/documents/{quote['id']}/cancel",
        json={"reason": "training not needed", "lines": [2]},
        headers=finance,
    )
    assert partial.status_code == 200, partial.json
    assert partial.json["status"] == "signed"
    [first] = partial.json["cancellations"]
    assert (first["net"], first["tax"], first["total"]) == ("950.00", "190.00", "1140.00")
    again = client.post(
        f"/api/v1/documents/{quote['id']}/cancel",
        json={"reason": "twice", "lines": [2]},
        headers=finance,
    )
    assert again.status_code == 422
    assert again.json["errors"][0]["detail"] == "line 2 is cancelled already"

    whole = client.post(
        f"/api/v1/documents/{quote['id']}/cancel",
        json={"reason": "the library closed"},
        headers=finance,
    ).json
    assert whole["status"] == "cancelled"
    assert [c["whole"] for c in whole["cancellations"]] == [False, True]
    after = client.post(
        f"/api/v1/documents/{quote['id']}/cancel", json={"reason": "again"}, headers=finance
    )
    assert after.status_code == 409

    webhook_receiver.wait_for(3)
    booked = list(webhook_receiver.ledger.values())
    [trigger] = [v["data"] for v in booked if v["type"] == "invoice.trigger"]
    credits = [v["data"] for v in booked if v["type"] == "invoice.credit"]
    assert len(credits) == 2
    assert {(c["kind"], c["contract"]["number"], c["period"]["number"]) for c in credits} == {
        ("credit", quote["number"], 1)
    }
    assert [c["reason"] for c in credits] == ["training not needed", "the library closed"]
    assert sum(D(c["total"]) for c in credits) == -D(trigger["total"])
    [training] = credits[0]["lines"]
    assert (training["key"], training["description"], training["net"], training["tax"]) == (
        "line-3",
        "On-site training day",
        "-950.00",
        "-190.00",
    )
    for credit in credits:
        assert sum(D(line["gross"]) for line in credit["lines"]) == D(credit["total"])
