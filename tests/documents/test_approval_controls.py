"""Approval controls an auditor can rely on, through the API: four eyes on every change,
the discount the customer really gets, re-approval after a material change, the net
value in the base currency, and authority by rank."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from apiflask import APIFlask
from sqlalchemy import select

from app.audit.models import AuditEvent
from tests.conftest import (
    PASSWORD,
    WAIT,
    account_id,
    bearer,
    build_app,
    csrf_token,
    make_settings,
    row_counts,
)


def _quote(app: APIFlask, **data: Any) -> dict[str, Any]:
    return {
        "account": account_id(app.extensions["contractdesk"], "University"),
        "currency": "GBP",
        "lines": [{"sku": "JNL-PHYS", "quantity": 1, "discount_percent": "15"}],
        "notes": "First offer",
        **data,
    }


def _create(app: APIFlask, data: dict[str, Any], who: str = "support@example.com") -> Any:
    answer = app.test_client().post(
        "/api/v1/documents",
        json={"template": "quote", "data": data},
        headers={**bearer(app, who), **WAIT},
    )
    assert answer.status_code == 201, answer.json
    return answer.json


def _decide(app: APIFlask, document_id: str, who: str) -> Any:
    return app.test_client().post(
        f"/api/v1/documents/{document_id}/approvals",
        json={"decision": "approve", "comment": who},
        headers=bearer(app, who),
    )


def _revise(app: APIFlask, document_id: str, data: dict[str, Any], who: str) -> Any:
    return app.test_client().put(
        f"/api/v1/documents/{document_id}/data",
        json={"data": data},
        headers={**bearer(app, who), **WAIT},
    )


def _events(app: APIFlask, tag: str) -> list[AuditEvent]:
    uow = app.extensions["contractdesk"].unit_of_work()
    with uow:
        return list(uow.session.scalars(select(AuditEvent).where(AuditEvent.tag == tag)))


def _unchanged_but_audit(before: dict[str, int], after: dict[str, int]) -> None:
    moved = {k for k in after if after[k] != before[k]}
    assert moved <= {"audit_event", "counter", "api_key"}, moved


def test_a_manager_who_raised_the_discount_cannot_approve_it(app: APIFlask) -> None:
    data = _quote(app)
    created = _create(app, data)
    raised = copy.deepcopy(data)
    raised["lines"][0]["discount_percent"] = "60"
    revised = _revise(app, created["id"], raised, "manager@example.com")
    assert revised.status_code == 200, revised.json
    assert [e["email"] for e in revised.json["editors"]] == ["manager@example.com"]

    bearer(app, "manager@example.com")  # the key exists before counting rows
    before = row_counts(app.extensions["contractdesk"])
    refused = _decide(app, created["id"], "manager@example.com")
    assert refused.status_code == 403
    assert refused.mimetype == "application/problem+json"
    assert refused.json["rule"] == "segregation-of-duties"
    assert refused.json["type"].endswith("/segregation-of-duties")
    _unchanged_but_audit(before, row_counts(app.extensions["contractdesk"]))
    [event] = _events(app, "approval.refused")
    assert event.data["rule"] == "segregation-of-duties"
    assert event.actor_label == "manager@example.com"

    doc = (
        app.test_client()
        .get(f"/api/v1/documents/{created['id']}", headers=bearer(app, "support@example.com"))
        .json
    )
    assert doc["status"] == "pending_approval" and doc["approvals"] == []
    other = _decide(app, created["id"], "manager2@example.com")
    assert other.status_code == 201 and other.json["status"] == "approved"


def test_the_creator_cannot_approve_under_the_same_rule(app: APIFlask) -> None:
    created = _create(app, _quote(app), who="manager@example.com")
    refused = _decide(app, created["id"], "manager@example.com")
    assert refused.status_code == 403 and refused.json["rule"] == "segregation-of-duties"


def test_line_and_header_discounts_compound_to_what_the_customer_gets(app: APIFlask) -> None:
    data = _quote(app, discount_percent="10")
    data["lines"][0]["discount_percent"] = "10"
    created = _create(app, data)
    [rule] = created["approvals_required"]
    assert rule["rule"] == "discount"
    [reason] = rule["reasons"]
    assert reason["code"] == "discount-above"
    assert reason["figures"]["discount_percent"] == "19.00"


def test_a_price_under_list_and_a_free_line_are_discounts(app: APIFlask) -> None:
    under = _quote(app)
    under["lines"] = [{"sku": "JNL-PHYS", "quantity": 1, "unit_price": "12000.00"}]
    [rule] = _create(app, under)["approvals_required"]
    # GBP list 15,910.00: 12,000 is 24.58 % off
    assert rule["reasons"][0]["figures"]["discount_percent"] == "24.58"

    free = _quote(app)
    free["lines"] = [
        {"sku": "JNL-PHYS", "quantity": 1},
        {"sku": "SVC-TDM", "quantity": 1, "unit_price": "0"},
    ]
    [rule] = _create(app, free)["approvals_required"]
    assert rule["reasons"][0]["figures"]["discount_percent"] == "100.00"
    assert rule["reasons"][0]["figures"]["line"] == 2


def _approved(app: APIFlask) -> tuple[dict[str, Any], dict[str, Any]]:
    data = _quote(app)
    created = _create(app, data)
    assert _decide(app, created["id"], "manager@example.com").json["status"] == "approved"
    return data, created


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("notes", "Rewritten after approval"),
        ("valid_until", "2099-12-31"),
        ("account", "Consortium"),
    ],
)
def test_a_material_change_after_approval_voids_it(app: APIFlask, field: str, value: str) -> None:
    data, created = _approved(app)
    if field == "account":
        value = account_id(app.extensions["contractdesk"], value)
    revised = _revise(app, created["id"], {**data, field: value}, "support@example.com")
    assert revised.status_code == 200, revised.json
    doc = revised.json
    assert doc["status"] == "pending_approval"
    [approval] = doc["approvals"]
    assert approval["reset_at"] is not None
    assert field in approval["reset_reason"]
    [event] = _events(app, "document.approvals_reset")
    assert field in event.data["material"]


def test_an_internal_comment_is_not_material(app: APIFlask) -> None:
    data, created = _approved(app)
    doc = _revise(
        app, created["id"], {**data, "internal_comment": "chased by phone"}, "manager2@example.com"
    ).json
    assert doc["status"] == "approved"
    assert [a["reset_at"] for a in doc["approvals"]] == [None]
    assert doc["editors"] == []


def test_the_material_fields_are_listed_in_one_place() -> None:
    from app.assembly.schemas import AmendmentData, LicenceData, QuoteData, TitleListData
    from app.documents.material import MATERIAL_FIELDS, NOT_MATERIAL

    for kind in (QuoteData, LicenceData, AmendmentData, TitleListData):
        for name in kind.model_fields:
            assert (name in MATERIAL_FIELDS) != (name in NOT_MATERIAL), (kind.__name__, name)
    assert "internal_comment" in NOT_MATERIAL and "notes" in MATERIAL_FIELDS


RANKED_MATRIX = """
base_currency: EUR
ranks: [manager, director]
exchange_rates: {GBP: "1.17"}
tiers:
  - {name: discount, role: manager, step: 1, when: {discount_percent_above: 10}}
  - {name: deep-discount-terms, role: legal, step: 1, when: {discount_percent_above: 50}}
  - {name: large-deal, role: director, step: 2, when: {value_above: 100000}}
"""


@pytest.fixture
def ranked_app(postgres_url: str, tmp_path: Path, instance_dir: Path) -> Iterator[APIFlask]:
    matrix = tmp_path / "matrix.yaml"
    matrix.write_text(RANKED_MATRIX)
    app = build_app(
        make_settings(postgres_url, tmp_path, instance_dir, approval_matrix_file=matrix)
    )
    yield app
    app.extensions["contractdesk"].close()


def test_a_director_may_approve_a_manager_step_and_the_role_is_recorded(
    ranked_app: APIFlask,
) -> None:
    created = _create(ranked_app, _quote(ranked_app))
    approved = _decide(ranked_app, created["id"], "director@example.com")
    assert approved.status_code == 201, approved.json
    [approval] = approved.json["approvals"]
    assert (approval["rule"], approval["role"], approval["decided_by"]) == (
        "discount",
        "director",
        "director@example.com",
    )
    assert approved.json["status"] == "approved"


def test_authority_does_not_reach_across_lines(ranked_app: APIFlask) -> None:
    data = _quote(ranked_app)
    data["lines"][0]["discount_percent"] = "60"
    created = _create(ranked_app, data)
    assert _decide(ranked_app, created["id"], "director@example.com").status_code == 201
    refused = _decide(ranked_app, created["id"], "director@example.com")
    assert refused.status_code == 403 and refused.json["rule"] == "approval-authority"


def test_value_thresholds_use_the_net_value_never_vat(ranked_app: APIFlask) -> None:
    data = _quote(ranked_app, currency="EUR", tax_rate_percent="21")
    data["lines"] = [{"sku": "JNL-FULL", "quantity": 1}]  # 98,000 net, 118,580 gross
    assert _create(ranked_app, data)["approvals_required"] == []


def test_finance_keeps_dated_rates_and_the_rate_is_recorded(ranked_app: APIFlask) -> None:
    client = ranked_app.test_client()
    rate = {"currency": "GBP", "rate": "1.25", "valid_from": "2020-01-01"}
    support = client.post(
        "/api/v1/exchange-rates", json=rate, headers=bearer(ranked_app, "support@example.com")
    )
    assert support.status_code == 403
    kept = client.post(
        "/api/v1/exchange-rates", json=rate, headers=bearer(ranked_app, "finance@example.com")
    )
    assert kept.status_code == 201, kept.json
    data = _quote(ranked_app)
    data["lines"] = [{"sku": "JNL-FULL", "quantity": 1}]  # GBP 84,280 net: 105,350 EUR at 1.25
    created = _create(ranked_app, data)
    [rule] = created["approvals_required"]
    assert rule["rule"] == "large-deal"
    value = rule["reasons"][0]["figures"]
    assert (value["net"], value["currency"], value["rate"], value["rate_valid_from"]) == (
        "84280.00",
        "GBP",
        "1.25",
        "2020-01-01",
    )
    assert value["base_value"] == "105350.00"
    approved = _decide(ranked_app, created["id"], "director@example.com")
    assert approved.json["approvals"][0]["figures"]["rate"] == "1.25"


def test_a_bad_rate_is_refused_and_changes_nothing(ranked_app: APIFlask) -> None:
    client = ranked_app.test_client()
    finance = bearer(ranked_app, "finance@example.com")
    before = row_counts(ranked_app.extensions["contractdesk"])
    for rate in ("0", "99999999999999999999"):
        answer = client.post(
            "/api/v1/exchange-rates",
            json={"currency": "GBP", "rate": rate, "valid_from": "2026-01-01"},
            headers=finance,
        )
        assert answer.status_code == 422 and answer.json["errors"][0]["pointer"] == "/rate"
    assert row_counts(ranked_app.extensions["contractdesk"]) == before


def test_the_page_offers_no_decision_to_an_editor_and_refuses_one(app: APIFlask) -> None:
    data = _quote(app)
    created = _create(app, data)
    raised = copy.deepcopy(data)
    raised["lines"][0]["discount_percent"] = "60"
    assert _revise(app, created["id"], raised, "manager@example.com").status_code == 200
    client = app.test_client()
    login = client.get("/login")
    client.post(
        "/login",
        data={
            "email": "manager@example.com",
            "password": PASSWORD,
            "csrf_token": csrf_token(login.text),
        },
    )
    page = client.get(f"/documents/{created['id']}").text
    assert 'value="approve"' not in page
    assert created["number"] not in client.get("/approvals").text
    answer = client.post(
        f"/documents/{created['id']}/approval",
        data={"csrf_token": csrf_token(page), "decision": "approve"},
        follow_redirects=True,
    )
    assert "since its last approval: someone else must approve it" in answer.text
    [event] = _events(app, "approval.refused")
    assert event.data["rule"] == "segregation-of-duties"
