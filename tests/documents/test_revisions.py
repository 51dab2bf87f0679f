"""Changing a document after approval: a material change voids the approvals, says why, and
sends the document back for approval; other changes keep them."""

from __future__ import annotations

import copy
from typing import Any

from apiflask import APIFlask

from tests.conftest import PASSWORD, WAIT, account_id, bearer, csrf_token, row_counts


def _quote(app: APIFlask) -> dict[str, Any]:
    return {
        "account": account_id(app.extensions["contractdesk"], "University"),
        "currency": "GBP",
        "lines": [{"sku": "JNL-PHYS", "quantity": 1, "discount_percent": "15"}],
        "notes": "First offer",
    }


def _approved_quote(app: APIFlask) -> tuple[Any, dict[str, str], dict[str, Any], dict[str, Any]]:
    client = app.test_client()
    support = bearer(app, "support@example.com")
    data = _quote(app)
    created = client.post(
        "/api/v1/documents", json={"template": "quote", "data": data}, headers={**support, **WAIT}
    ).json
    assert created["status"] == "pending_approval"
    approved = client.post(
        f"/api/v1/documents/{created['id']}/approvals",
        json={"decision": "approve", "comment": "fine for this customer"},
        headers=bearer(app, "manager@example.com"),
    ).json
    assert approved["status"] == "approved"
    return client, support, data, created


def test_a_priced_change_after_approval_resets_it_and_says_why(app: APIFlask) -> None:
    client, support, data, created = _approved_quote(app)
    changed = copy.deepcopy(data)
    changed["lines"][0]["discount_percent"] = "20"

    revised = client.put(
        f"/api/v1/documents/{created['id']}/data",
        json={"data": changed},
        headers={**support, **WAIT},
    )
    assert revised.status_code == 200, revised.json
    doc = revised.json
    assert doc["status"] == "pending_approval"
    assert doc["version"] == 3  # v2 is the approved copy, rendered without the DRAFT mark
    [approval] = doc["approvals"]
    assert approval["reset_at"] is not None
    # GBP list 15,910: less 15 % = 13,523.50, less 20 % = 12,728.00
    assert "line 1 discount percent 15 → 20" in approval["reset_reason"]
    assert "subtotal 13523.50 → 12728.00" in approval["reset_reason"]
    assert doc["totals"]["subtotal"] == "12728.00"

    # the same manager may approve the new figures: the old decision no longer counts
    again = client.post(
        f"/api/v1/documents/{created['id']}/approvals",
        json={"decision": "approve", "comment": "20 % agreed with the director"},
        headers=bearer(app, "manager@example.com"),
    )
    assert again.status_code == 201, again.json
    assert again.json["status"] == "approved"

    page = client.get(f"/documents/{created['id']}")
    assert page.status_code in (302, 401)  # pages need a login
    login = client.get("/login")
    client.post(
        "/login",
        data={
            "email": "support@example.com",
            "password": PASSWORD,
            "csrf_token": csrf_token(login.text),
        },
    )
    html = client.get(f"/documents/{created['id']}").text
    assert "by a change made after it" in html
    assert "line 1: line discount 15 → 20" in html and "Subtotal 13523.50 → 12728.00" in html


def test_a_change_to_nothing_material_keeps_the_approval(app: APIFlask) -> None:
    client, support, data, created = _approved_quote(app)
    changed = {**data, "internal_comment": "Customer asked twice", "po_number": "PO-77"}
    doc = client.put(
        f"/api/v1/documents/{created['id']}/data",
        json={"data": changed},
        headers={**support, **WAIT},
    ).json
    assert doc["status"] == "approved"
    assert doc["version"] == 3  # v2 is the approved copy, rendered without the DRAFT mark
    assert [a["reset_at"] for a in doc["approvals"]] == [None]


def test_bad_revisions_change_nothing(app: APIFlask) -> None:
    client, support, data, created = _approved_quote(app)
    runtime = app.extensions["contractdesk"]
    finance = bearer(app, "finance@example.com")
    before = row_counts(runtime)
    bad = {**data, "lines": [{"sku": "JNL-PHYS", "quantity": 0}]}
    answer = client.put(
        f"/api/v1/documents/{created['id']}/data", json={"data": bad}, headers={**support, **WAIT}
    )
    assert answer.status_code == 422
    assert answer.json["errors"][0]["pointer"] == "/data/lines/0/quantity"
    refused = client.put(
        f"/api/v1/documents/{created['id']}/data", json={"data": data}, headers={**finance, **WAIT}
    )
    assert refused.status_code == 403
    assert row_counts(runtime) == before

    client.post(
        f"/api/v1/documents/{created['id']}/send",
        json={"signers": [{"name": "Ann Reader", "email": "ann@example.org"}]},
        headers=support,
    )
    sent = client.put(
        f"/api/v1/documents/{created['id']}/data", json={"data": data}, headers={**support, **WAIT}
    )
    assert sent.status_code == 409
    assert "void it before changing it" in sent.json["detail"]
