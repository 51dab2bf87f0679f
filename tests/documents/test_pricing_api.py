"""Pricing as a CRM button and finance meet it: the preview that stores nothing, price lists
by year, and discounts given as amounts."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from apiflask import APIFlask

from app.config import PROJECT_ROOT
from app.db import utcnow
from tests.conftest import WAIT, account_id, bearer, row_counts

D = Decimal
THIS_YEAR = utcnow().year


def _quote(app: APIFlask, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "account": account_id(app.extensions["contractdesk"], "Consortium"),
        "currency": "EUR",
        "lines": [
            {"sku": "JNL-PHYS", "quantity": 1, "discount_percent": "15"},
            {"description": "Training day on site", "unit_price": "950.00", "quantity": 2},
        ],
    }
    data.update(changes)
    return {"template": "quote", "data": data}


def _licence(app: APIFlask, start: str, years: int = 3) -> dict[str, Any]:
    sample = PROJECT_ROOT / "contract_templates/licence-agreement/sample.json"
    data = json.loads(sample.read_text())
    data["account"] = account_id(app.extensions["contractdesk"], "Consortium")
    data["lines"] = [{"sku": "JNL-PHYS", "quantity": 1}]
    data["term"] = {"start": start, "years": years}
    data["annual_uplift_percent"] = "3"
    return {"template": "licence-agreement", "data": data}


def test_a_preview_answers_what_a_create_would_make_and_stores_nothing(app: APIFlask) -> None:
    client = app.test_client()
    support = bearer(app, "support@example.com")
    runtime = app.extensions["contractdesk"]
    before = row_counts(runtime)
    preview = client.post("/api/v1/documents:preview", json=_quote(app), headers=support)
    assert preview.status_code == 200, preview.json
    assert row_counts(runtime) == before

    answer = preview.json
    # 18,500 less 15 % = 15,725 and two training days; the Dutch consortium is a business
    # in the EU with a valid VAT number: reverse charge
    assert [line["amount"] for line in answer["lines"]] == ["15725.00", "1900.00"]
    assert answer["totals"]["subtotal"] == "17625.00"
    assert answer["totals"]["tax_treatment"] == "reverse_charge"
    assert [(a["role"], a["step"]) for a in answer["approvals_required"]] == [("manager", 1)]
    assert "15 % on line 1 above 10 %" in answer["approvals_required"][0]["reason"]
    assert answer["years"] == [
        {
            "year": 1,
            "starts": utcnow().date().isoformat(),
            **{k: answer["totals"][k] for k in ("subtotal", "discount", "tax", "total")},
        }
    ]
    assert answer["valid_until"] is not None

    created = client.post("/api/v1/documents", json=_quote(app), headers={**support, **WAIT}).json
    assert created["totals"] == {
        k: answer["totals"][k] for k in ("subtotal", "discount", "net", "tax", "total")
    }
    assert created["approvals_required"] == answer["approvals_required"]


def test_a_preview_of_a_licence_gives_each_year_of_the_term(app: APIFlask) -> None:
    client = app.test_client()
    support = bearer(app, "support@example.com")
    answer = client.post(
        "/api/v1/documents:preview", json=_licence(app, f"{THIS_YEAR}-12-01"), headers=support
    ).json
    years = answer["years"]
    assert [y["year"] for y in years] == [1, 2, 3]
    assert [y["starts"] for y in years] == [f"{THIS_YEAR + n}-12-01" for n in range(3)]
    assert [y["subtotal"] for y in years] == ["18500.00", "19055.00", "19626.65"]
    assert sum(D(y["total"]) for y in years) == D(answer["totals"]["total"])


def test_a_bad_preview_is_answered_like_a_bad_create(app: APIFlask) -> None:
    client = app.test_client()
    support = bearer(app, "support@example.com")
    body = _quote(app, lines=[{"sku": "NO-SUCH", "quantity": 1}])
    answer = client.post("/api/v1/documents:preview", json=body, headers=support)
    assert answer.status_code == 422
    assert answer.json["errors"][0]["pointer"] == "/data/lines/0/sku"
    assert client.post("/api/v1/documents:preview", json=_quote(app)).status_code == 401


def test_a_year_takes_its_own_price_list_and_earlier_lists_stand_until_replaced(
    app: APIFlask,
) -> None:
    client = app.test_client()
    support = bearer(app, "support@example.com")
    finance = bearer(app, "finance@example.com")
    next_year = THIS_YEAR + 1
    runtime = app.extensions["contractdesk"]

    before = row_counts(runtime)
    refused = client.put(
        f"/api/v1/price-lists/{next_year}/EUR",
        json={"prices": {"JNL-PHYS": "19200.00"}},
        headers=support,
    )
    assert refused.status_code == 403
    unknown = client.put(
        f"/api/v1/price-lists/{next_year}/EUR",
        json={"prices": {"JNL-PHYS": "19200.00", "NO-SUCH": "1.00"}},
        headers=finance,
    )
    assert unknown.status_code == 422 and unknown.json["errors"][0]["pointer"] == "/prices/NO-SUCH"
    assert row_counts(runtime) == before

    published = client.put(
        f"/api/v1/price-lists/{next_year}/EUR",
        json={"prices": {"JNL-PHYS": "19200.00"}},
        headers=finance,
    )
    assert published.status_code == 200, published.json
    assert published.json["changed"] == 1

    listed = client.get(f"/api/v1/products?currency=EUR&year={next_year}", headers=support).json
    physics = next(p for p in listed["products"] if p["sku"] == "JNL-PHYS")
    chemistry = next(p for p in listed["products"] if p["sku"] == "JNL-CHEM")
    assert (physics["unit_price"], physics["listed_in"]) == ("19200.0000", next_year)
    assert chemistry["listed_in"] == 2026  # the demo list stands until a newer one is set

    # a licence starting next year takes next year's list; a quote issued today this year's
    licence = client.post(
        "/api/v1/documents:preview", json=_licence(app, f"{next_year}-01-01", 1), headers=support
    ).json
    assert licence["lines"][0]["unit_price"] == "19200.00"
    quote = client.post("/api/v1/documents:preview", json=_quote(app), headers=support).json
    assert quote["lines"][0]["unit_price"] == "18500.00"

    before_list = client.post(
        "/api/v1/documents:preview", json=_licence(app, "2025-01-01", 1), headers=support
    )
    assert before_list.status_code == 422
    assert "no 2025 list price in EUR" in before_list.json["errors"][0]["detail"]


def test_discounts_as_amounts_are_judged_by_what_they_take_off(app: APIFlask) -> None:
    client = app.test_client()
    support = bearer(app, "support@example.com")
    lines = [{"sku": "JNL-PHYS", "quantity": 1, "discount_amount": "925.00"}]  # 5 %
    small = client.post(
        "/api/v1/documents:preview", json=_quote(app, lines=lines), headers=support
    ).json
    assert small["lines"][0]["amount"] == "17575.00"
    assert small["approvals_required"] == []

    header = client.post(
        "/api/v1/documents:preview",
        json=_quote(app, lines=lines, discount_amount="2000.00"),
        headers=support,
    ).json
    assert header["totals"]["discount"] == "2000.00"
    assert [a["role"] for a in header["approvals_required"]] == ["manager"]  # 11.38 %


def test_a_discount_larger_than_its_line_or_given_twice_is_refused(app: APIFlask) -> None:
    client = app.test_client()
    support = bearer(app, "support@example.com")
    runtime = app.extensions["contractdesk"]
    before = row_counts(runtime)
    too_much = _quote(
        app, lines=[{"sku": "JNL-PHYS", "quantity": 1, "discount_amount": "18500.01"}]
    )
    answer = client.post("/api/v1/documents", json=too_much, headers={**support, **WAIT})
    assert answer.status_code == 422
    assert answer.json["errors"] == [
        {
            "pointer": "/data/lines/0/discount_amount",
            "detail": "the discount 18500.01 is more than the line's 18500.00",
        }
    ]
    twice = _quote(app, discount_percent="5", discount_amount="10.00")
    answer = client.post("/api/v1/documents", json=twice, headers={**support, **WAIT})
    assert answer.status_code == 422
    assert "not both" in answer.json["errors"][0]["detail"]
    assert row_counts(runtime) == before


def test_a_contract_price_below_list_needs_approval_like_a_discount(app: APIFlask) -> None:
    client = app.test_client()
    support = bearer(app, "support@example.com")
    lines = [{"sku": "JNL-PHYS", "quantity": 1, "unit_price": "16000.00"}]  # 13.5 % under
    under = client.post(
        "/api/v1/documents:preview", json=_quote(app, lines=lines), headers=support
    ).json
    assert under["lines"][0]["unit_price"] == "16000.00"
    assert under["lines"][0]["sku"] == "JNL-PHYS"
    assert [a["role"] for a in under["approvals_required"]] == ["manager"]
    assert "13.51 %" in under["approvals_required"][0]["reason"]
    above = [{"sku": "JNL-PHYS", "quantity": 1, "unit_price": "19000.00"}]
    answer = client.post(
        "/api/v1/documents:preview", json=_quote(app, lines=above), headers=support
    )
    assert answer.json["approvals_required"] == []
