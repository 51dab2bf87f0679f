"""Order to bill as a sales director reads it: per region and month, how far documents
got, how long signature took, and how many went from CRM to invoice untouched."""

from __future__ import annotations

import csv
import io
from typing import Any

from apiflask import APIFlask
from openpyxl import load_workbook

from tests.conftest import account_id, bearer, csrf_token
from tests.support.flows import plain_quote_request, quote_request, sign_as


def _send_and_sign(app: APIFlask, document_id: str) -> None:
    client = app.test_client()
    sent = client.post(
        f"/api/v1/documents/{document_id}/send",
        json={"signers": [{"name": "Helen Marsh", "email": "h@example.org"}]},
        headers=bearer(app, "support@example.com"),
    ).json
    assert sign_as(client, sent["signers"][0]["signing_url"], "Helen Marsh").status_code == 200


def test_touchless_documents_are_the_ones_no_person_handled(app: APIFlask) -> None:
    client = app.test_client()
    crm = bearer(app, "support@example.com")
    # untouched: made and sent through the API, no approval needed
    untouched = client.post("/api/v1/documents", json=plain_quote_request(app), headers=crm).json
    _send_and_sign(app, untouched["id"])
    # handled: a 15 % discount needed a manager
    body: dict[str, Any] = quote_request(account_id(app.extensions["contractdesk"], "University"))
    handled = client.post("/api/v1/documents", json=body, headers=crm).json
    client.post(
        f"/api/v1/documents/{handled['id']}/approvals",
        json={"decision": "approve"},
        headers=bearer(app, "manager@example.com"),
    )
    _send_and_sign(app, handled["id"])
    client.post("/api/v1/documents", json=plain_quote_request(app), headers=crm)  # a draft
    app.extensions["contractdesk"].jobs.wait_idle()

    page_client = app.test_client()
    login = page_client.get("/login")
    page_client.post(
        "/login",
        data={
            "email": "director@example.com",
            "password": "contractdesk-demo",
            "csrf_token": csrf_token(login.text),
        },
    )
    page = page_client.get("/reports/order-to-bill")
    assert page.status_code == 200 and "UK &amp; Ireland" in page.text
    rows = list(
        csv.reader(
            io.StringIO(page_client.get("/reports/order-to-bill.csv").data.decode("utf-8-sig"))
        )
    )
    header, [row] = rows[0], rows[1:]
    record = dict(zip(header, row, strict=True))
    assert record["Region"] == "UK & Ireland"
    assert (record["Created"], record["Approved"], record["Signed"], record["Invoiced"]) == (
        "3",
        "1",
        "2",
        "2",
    )
    assert (record["Touchless"], record["Touchless rate %"]) == ("1", "50.0")
    assert float(record["Median hours to signature"]) < 1
    sheet = load_workbook(io.BytesIO(page_client.get("/reports/order-to-bill.xlsx").data)).active
    assert sheet is not None
    assert [c.value for c in sheet[2]][2:6] == [3, 1, 2, 2]
