"""The renewals sweep and the pipeline report, as the support desk meets them: a draft for
the next term at the right prices, reminders at 90, 60 and 30 days, nothing made twice."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal
from typing import Any

from apiflask import APIFlask
from openpyxl import load_workbook
from sqlalchemy import select

from app.config import PROJECT_ROOT
from app.notifications.models import Notification
from app.renewals.services import sweep
from app.runtime import Runtime
from tests.conftest import PASSWORD, WAIT, account_id, bearer, csrf_token, row_counts
from tests.support.flows import send_and_sign

D = Decimal


def _signed_licence(app: APIFlask, tax_rate_percent: str = "0") -> dict[str, Any]:
    sample = PROJECT_ROOT / "contract_templates/licence-agreement/sample.json"
    data: dict[str, Any] = json.loads(sample.read_text())
    data["tax_rate_percent"] = tax_rate_percent
    data["account"] = account_id(app.extensions["contractdesk"], "Consortium")
    data["lines"] = [
        {"sku": "JNL-PHYS", "quantity": 1},
        {"sku": "JNL-CHEM", "quantity": 1, "discount_percent": "4"},
        {"description": "Discovery service hosting", "unit_price": "2000.00", "quantity": 1},
    ]
    data["titles"] = data["titles"][:2]
    data["term"] = {"start": "2028-01-01", "years": 2}
    client = app.test_client()
    created = client.post(
        "/api/v1/documents",
        json={"template": "licence-agreement", "data": data, "external_ref": "OPP-77"},
        headers={**bearer(app, "support@example.com"), **WAIT},
    ).json
    assert created["status"] == "draft", created
    send_and_sign(app, created["id"])
    return dict(created)


def _notifications(runtime: Runtime) -> list[str]:
    uow = runtime.unit_of_work()
    with uow:
        return sorted(n.key.rsplit(":", 1)[1] for n in uow.session.scalars(select(Notification)))


def test_the_sweep_drafts_one_renewal_at_next_term_prices_and_reminds_three_times(
    app: APIFlask,
) -> None:
    runtime: Runtime = app.extensions["contractdesk"]
    client = app.test_client()
    support = bearer(app, "support@example.com")
    client.put(
        "/api/v1/price-lists/2030/EUR",
        json={"prices": {"JNL-PHYS": "21000.00"}},
        headers=bearer(app, "finance@example.com"),
    )
    licence = _signed_licence(app)  # 1 January 2028 to 31 December 2029, 3 % uplift

    assert sweep(runtime.unit_of_work(), today=date(2029, 9, 1)).renewals == []  # 121 days
    made = sweep(runtime.unit_of_work(), today=date(2029, 10, 15))
    assert len(made.renewals) == 1 and made.problems == []
    assert made.reminders == 1  # the 90-day reminder goes with the draft
    before = row_counts(runtime)
    assert sweep(runtime.unit_of_work(), today=date(2029, 10, 15)).renewals == []
    assert sweep(runtime.unit_of_work(), today=date(2029, 10, 16)).renewals == []
    assert row_counts(runtime) == before

    renewal = client.get(f"/api/v1/documents/{made.renewals[0]}", headers=support).json
    assert renewal["number"].startswith("L-") and renewal["status"] == "draft"
    assert renewal["external_ref"] == "OPP-77"
    answer = client.get(f"/api/v1/documents/{made.renewals[0]}/files/pdf", headers=support)
    assert answer.status_code == 200
    uow = runtime.unit_of_work()
    with uow:
        from app.documents.models import Document

        stored = uow.session.get(Document, made.renewals[0])
        assert stored is not None
        assert str(stored.parent_id) == licence["id"] and stored.relation == "renewal"
        assert stored.data["term"] == {"start": "2030-01-01", "years": 2}
        assert stored.data["po_number"] is None  # the licence's PO-SAMPLE-2027 stays with it
        prices = [line["unit_price"] for line in stored.totals["lines"]]
    # physics: the 2030 list; chemistry 16,200 → 16,686.00 → 17,186.58 with the uplift
    # (no 2030 list); the free line 2,000 → 2,060.00 → 2,121.80
    assert prices == ["21000.00", "17186.58", "2121.80"]

    assert sweep(runtime.unit_of_work(), today=date(2029, 10, 20)).reminders == 0
    assert sweep(runtime.unit_of_work(), today=date(2029, 11, 1)).reminders == 1  # 60 days
    assert sweep(runtime.unit_of_work(), today=date(2029, 11, 2)).reminders == 0
    assert sweep(runtime.unit_of_work(), today=date(2029, 12, 1)).reminders == 1  # 30 days
    assert sweep(runtime.unit_of_work(), today=date(2029, 12, 1)).reminders == 0
    assert _notifications(runtime) == ["30", "60", "90"]


def test_the_pipeline_report_values_renewals_net_by_region_and_quarter(
    app: APIFlask,
) -> None:
    runtime: Runtime = app.extensions["contractdesk"]
    _signed_licence(app, tax_rate_percent="21")
    made = sweep(runtime.unit_of_work(), today=date(2029, 10, 15))
    client = app.test_client()
    support = bearer(app, "support@example.com")
    renewal = client.get(f"/api/v1/documents/{made.renewals[0]}", headers=support).json
    # physics 18,500 and chemistry 16,200 less 4 % (no 2030 list) and the free line 2,000,
    # each with the uplift twice: 38,247.57 net in 2030, 39,394.99 in 2031; 21 % VAT on top
    assert [p["net"] for p in renewal["invoice_periods"]] == ["38247.57", "39394.99"]
    assert renewal["totals"]["net"] == "77642.56" and renewal["totals"]["total"] == "93947.50"

    login = client.get("/login")
    client.post(
        "/login",
        data={
            "email": "manager@example.com",
            "password": PASSWORD,
            "csrf_token": csrf_token(login.text),
        },
    )
    page = client.get("/reports/renewals")
    assert page.status_code == 200
    assert "Benelux" in page.text and "2030-Q1" in page.text and "<svg" in page.text
    assert "Net annual value" in page.text and "Total contract value" in page.text
    assert "38,247.57" in page.text and "77,642.56" in page.text

    rows = list(
        csv.reader(io.StringIO(client.get("/reports/renewals.csv").data.decode("utf-8-sig")))
    )
    assert rows == [
        [
            "Region",
            "Quarter",
            "Status",
            "Renewals",
            "Net annual value (EUR)",
            "Total contract value (EUR)",
        ],
        ["Benelux", "2030-Q1", renewal["status"], "1", "38247.57", "77642.56"],
    ]
    sheet = load_workbook(io.BytesIO(client.get("/reports/renewals.xlsx").data)).active
    assert sheet is not None
    assert [c.value for c in sheet[2]] == [
        "Benelux",
        "2030-Q1",
        renewal["status"],
        1,
        38247.57,
        77642.56,
    ]
