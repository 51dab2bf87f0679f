"""Bad requests get a problem document naming the field, and change nothing."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from apiflask import APIFlask

from tests.conftest import WAIT, account_id, bearer, row_counts
from tests.support.flows import quote_request


def _with(change: Any) -> Any:
    def build(account: str) -> dict:
        body = copy.deepcopy(quote_request(account))
        change(body)
        return body

    return build


def _set_line(field: str, value: Any) -> Any:
    return _with(lambda b: b["data"]["lines"][0].__setitem__(field, value))


CASES = {
    "missing currency": (_with(lambda b: b["data"].pop("currency")), 422, "/data/currency"),
    "unknown field": (_with(lambda b: b["data"].__setitem__("colour", "red")), 422, "/data/colour"),
    "quantity of wrong type": (_set_line("quantity", "two"), 422, "/data/lines/0/quantity"),
    "negative quantity": (_set_line("quantity", -3), 422, "/data/lines/0/quantity"),
    "discount over 100 %": (
        _set_line("discount_percent", "120"),
        422,
        "/data/lines/0/discount_percent",
    ),
    "money as a float": (
        _set_line("discount_percent", 12.5),
        422,
        "/data/lines/0/discount_percent",
    ),
    "unknown sku": (_set_line("sku", "NOPE-1"), 422, "/data/lines/0/sku"),
    "no price in currency": (
        _with(lambda b: b["data"].__setitem__("currency", "JPY")),
        422,
        "/data/lines/0/sku",
    ),
    "unknown template": (_with(lambda b: b.__setitem__("template", "poem")), 422, "/template"),
    "unknown account": (
        _with(lambda b: b["data"].__setitem__("account", "7b0c1f0e-0000-4000-8000-000000000000")),
        422,
        "/data/account",
    ),
    "account that is no id": (
        _with(lambda b: b["data"].__setitem__("account", "Northfield")),
        422,
        "/data/account",
    ),
    "new customer without a name": (
        _with(lambda b: b["data"].__setitem__("account", {"country": "NL"})),
        422,
        "/data/account/name",
    ),
    "no lines": (_with(lambda b: b["data"].__setitem__("lines", [])), 422, "/data/lines"),
    "free line without price": (
        _with(lambda b: b["data"]["lines"][2].pop("unit_price")),
        422,
        "/data/lines/2",
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_bad_document_request_is_refused_and_changes_nothing(app: APIFlask, case: str) -> None:
    build, status, pointer = CASES[case]
    runtime = app.extensions["contractdesk"]
    headers = bearer(app, "support@example.com")
    before = row_counts(runtime)
    answer = app.test_client().post(
        "/api/v1/documents",
        json=build(account_id(runtime, "University")),
        headers={**headers, **WAIT},
    )
    assert answer.status_code == status, answer.json
    assert answer.mimetype == "application/problem+json"
    problem = answer.json
    assert problem["status"] == status and problem["title"] and problem["detail"]
    assert pointer in [e["pointer"] for e in problem["errors"]], problem
    assert row_counts(runtime) == before


def test_malformed_json_is_refused(app: APIFlask) -> None:
    runtime = app.extensions["contractdesk"]
    headers = {**bearer(app, "support@example.com"), "Content-Type": "application/json"}
    before = row_counts(runtime)
    answer = app.test_client().post(
        "/api/v1/documents", data='{"template": "quote", ', headers={**headers, **WAIT}
    )
    assert answer.status_code == 400
    assert answer.mimetype == "application/problem+json"
    assert "JSON" in answer.json["detail"]
    assert row_counts(runtime) == before


def test_oversized_body_is_refused(app: APIFlask) -> None:
    runtime = app.extensions["contractdesk"]
    body = quote_request(account_id(runtime, "University"))
    body["data"]["notes"] = "x" * (3 * 1024 * 1024)
    headers = {**bearer(app, "support@example.com"), "Content-Type": "application/json"}
    before = row_counts(runtime)
    answer = app.test_client().post(
        "/api/v1/documents", data=json.dumps(body), headers={**headers, **WAIT}
    )
    assert answer.status_code == 413
    assert answer.mimetype == "application/problem+json"
    assert row_counts(runtime) == before


@pytest.mark.parametrize("authorization", [None, "Bearer cd_not-a-key", "Basic abc"])
def test_requests_without_a_valid_key_are_refused(app: APIFlask, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    answer = app.test_client().get(
        "/api/v1/documents/7b0c1f0e-0000-4000-8000-000000000000", headers=headers
    )
    assert answer.status_code == 401
    assert answer.mimetype == "application/problem+json"


def test_a_role_that_does_not_sell_cannot_create(app: APIFlask) -> None:
    runtime = app.extensions["contractdesk"]
    headers = bearer(app, "legal@example.com")
    before = row_counts(runtime)
    answer = app.test_client().post(
        "/api/v1/documents",
        json=quote_request(account_id(runtime, "University")),
        headers={**headers, **WAIT},
    )
    assert answer.status_code == 403
    assert row_counts(runtime) == before


def test_unknown_document_is_a_404_problem(app: APIFlask) -> None:
    answer = app.test_client().get(
        "/api/v1/documents/7b0c1f0e-0000-4000-8000-000000000000",
        headers=bearer(app, "support@example.com"),
    )
    assert answer.status_code == 404
    assert answer.json["type"] == "/problems/not-found"


def test_webhook_endpoint_with_bad_url_or_event_is_refused(app: APIFlask) -> None:
    runtime = app.extensions["contractdesk"]
    headers = bearer(app, "finance@example.com")
    before = row_counts(runtime)
    client = app.test_client()
    bad_url = client.post(
        "/api/v1/webhook-endpoints",
        json={"url": "not a url", "events": ["invoice.trigger"]},
        headers=headers,
    )
    bad_event = client.post(
        "/api/v1/webhook-endpoints",
        json={"url": "https://erp.example/hook", "events": ["party"]},
        headers=headers,
    )
    assert bad_url.status_code == 422 and bad_url.json["errors"][0]["pointer"] == "/url"
    assert bad_event.status_code == 422 and bad_event.json["errors"][0]["pointer"] == "/events/0"
    assert row_counts(runtime) == before
