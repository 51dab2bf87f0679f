"""Order to bill as a sales director reads it: per region and month, how far documents
got, how long signature took, and how many went from CRM to invoice untouched."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from apiflask import APIFlask
from openpyxl import load_workbook

from app.config import PROJECT_ROOT
from tests.conftest import PASSWORD, WAIT, account_id, bearer, csrf_token
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
    untouched = client.post(
        "/api/v1/documents", json=plain_quote_request(app), headers={**crm, **WAIT}
    ).json
    _send_and_sign(app, untouched["id"])
    # handled: a 15 % discount needed a manager
    body: dict[str, Any] = quote_request(account_id(app.extensions["contractdesk"], "University"))
    handled = client.post("/api/v1/documents", json=body, headers={**crm, **WAIT}).json
    client.post(
        f"/api/v1/documents/{handled['id']}/approvals",
        json={"decision": "approve"},
        headers=bearer(app, "manager@example.com"),
    )
    _send_and_sign(app, handled["id"])
    client.post(
        "/api/v1/documents", json=plain_quote_request(app), headers={**crm, **WAIT}
    )  # a draft
    app.extensions["contractdesk"].jobs.wait_idle()

    page_client = app.test_client()
    login = page_client.get("/login")
    page_client.post(
        "/login",
        data={
            "email": "director@example.com",
            "password": PASSWORD,
            "csrf_token": csrf_token(login.text),
        },
    )
    page = page_client.get("/reports/order-to-bill")
    assert page.status_code == 200 and "UK &amp; Ireland" in page.text
    chart = page.text.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert 'role="img"' in chart
    bars = dict(re.findall(r'class="bar (created|signed|invoiced)"><title>(\d+)</title>', chart))
    assert bars == {"created": "3", "signed": "2", "invoiced": "2"}
    download = page_client.get("/reports/order-to-bill.csv")
    assert download.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(download.data.decode("utf-8-sig"))))
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


def test_every_download_names_its_type_once(app: APIFlask) -> None:
    """A CSV said `charset=utf-8` twice; each download now has one correct Content-Type."""
    client = app.test_client()
    crm = bearer(app, "support@example.com")
    sample = json.loads((PROJECT_ROOT / "contract_templates/title-list/sample.json").read_text())
    titles = client.post(
        "/api/v1/documents",
        json={"template": "title-list", "data": sample},
        headers={**crm, **WAIT},
    ).json
    expected = {
        "pdf": "application/pdf",
        "csv": "text/csv; charset=utf-8",
        "kbart": "text/tab-separated-values; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    for kind, content_type in expected.items():
        answer = client.get(f"/api/v1/documents/{titles['id']}/files/{kind}", headers=crm)
        assert answer.status_code == 200, kind
        assert answer.headers["Content-Type"] == content_type, kind
    login = client.get("/login")
    client.post(
        "/login",
        data={
            "email": "director@example.com",
            "password": PASSWORD,
            "csrf_token": csrf_token(login.text),
        },
    )
    for report in ("/reports/renewals.csv", "/reports/order-to-bill.csv", "/reports/approvals.csv"):
        assert client.get(report).headers["Content-Type"] == "text/csv; charset=utf-8", report
