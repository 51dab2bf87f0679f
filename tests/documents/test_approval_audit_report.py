"""The approval audit report for a period, as a page, CSV and XLSX: every approved
document with who created, changed and approved it, and the control exceptions."""

from __future__ import annotations

import copy
import csv
import io
from datetime import date, timedelta
from typing import Any

from apiflask import APIFlask
from openpyxl import load_workbook

from tests.conftest import PASSWORD, WAIT, account_id, bearer, csrf_token


def _post(app: APIFlask, path: str, body: dict[str, Any], who: str) -> Any:
    return app.test_client().post(path, json=body, headers=bearer(app, who))


def _period() -> str:
    today = date.today()
    return f"from={today - timedelta(days=1)}&to={today + timedelta(days=1)}"


def _story(app: APIFlask) -> dict[str, Any]:
    """A quote a manager changed then tried to approve, approved by another manager,
    changed again (voiding it) and approved again."""
    data = {
        "account": account_id(app.extensions["contractdesk"], "University"),
        "currency": "GBP",
        "lines": [{"sku": "JNL-PHYS", "quantity": 1, "discount_percent": "15"}],
    }
    created = _post(
        app, "/api/v1/documents", {"template": "quote", "data": data}, "support@example.com"
    ).json
    raised = copy.deepcopy(data)
    raised["lines"][0]["discount_percent"] = "20"
    app.test_client().put(
        f"/api/v1/documents/{created['id']}/data",
        json={"data": raised},
        headers={**bearer(app, "manager@example.com"), **WAIT},
    )
    approve = {"decision": "approve"}
    path = f"/api/v1/documents/{created['id']}/approvals"
    assert _post(app, path, approve, "manager@example.com").status_code == 403
    assert _post(app, path, approve, "manager2@example.com").status_code == 201
    app.test_client().put(
        f"/api/v1/documents/{created['id']}/data",
        json={"data": {**raised, "notes": "rewritten"}},
        headers={**bearer(app, "support@example.com"), **WAIT},
    )
    assert _post(app, path, approve, "director@example.com").status_code == 201
    return dict(created)


def _log_in(app: APIFlask, email: str) -> Any:
    client = app.test_client()
    page = client.get("/login")
    client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": csrf_token(page.text)},
    )
    return client


def test_the_report_names_who_did_what_and_every_exception(app: APIFlask) -> None:
    created = _story(app)
    client = _log_in(app, "director@example.com")
    text = client.get(f"/reports/approvals.csv?{_period()}").data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    [approved] = [r for r in rows if r["record"] == "approved"]
    assert approved["document"] == created["number"]
    assert approved["created_by"] == "support@example.com"
    assert approved["changed_by"] == "manager@example.com; support@example.com"
    assert approved["approved_by"] == "director@example.com (director for discount)"
    assert approved["effective_discount_percent"] == "20.00"
    assert (approved["net"], approved["currency"]) == ("12728.00", "GBP")
    kinds = sorted(r["exception"] for r in rows if r["record"] == "exception")
    assert kinds == ["approvals voided", "rank override", "refused"]
    [refused] = [r for r in rows if r["exception"] == "refused"]
    assert refused["by"] == "manager@example.com" and "segregation-of-duties" in refused["detail"]

    workbook = load_workbook(io.BytesIO(client.get(f"/reports/approvals.xlsx?{_period()}").data))
    assert workbook.sheetnames == ["Approved", "Exceptions"]
    assert workbook["Approved"]["A2"].value == created["number"]
    assert workbook["Exceptions"].max_row == 4

    page = client.get(f"/reports/approvals?{_period()}").text
    assert created["number"] in page and "segregation-of-duties" in page


def test_a_bad_period_is_refused_beside_the_field(app: APIFlask) -> None:
    client = _log_in(app, "director@example.com")
    page = client.get("/reports/approvals?from=2026-13-01&to=2026-01-01")
    assert page.status_code == 422
    assert 'id="from-error"' in page.text
    assert client.get("/reports/approvals.csv?from=2026-02-01&to=2026-01-01").status_code == 422
