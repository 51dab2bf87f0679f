"""Hostile text and shapes (issue 21): NUL and other control characters, unpaired
surrogates and bidirectional overrides are refused with 422 naming where they are, in a
field, a key, the query string or the path; a JSON body nested too deep is refused (400)
before it is parsed, a large body to a small call (413); countries and currencies are the
ISO codes in use. Each refusal changes nothing."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from apiflask import APIFlask

from tests.conftest import WAIT, bearer, row_counts
from tests.support.flows import plain_quote_request

PROBLEM_JSON = "application/problem+json"


def _quote(app: APIFlask, change: Any) -> dict[str, Any]:
    body = copy.deepcopy(plain_quote_request(app))
    change(body)
    return body


def _new_customer(**fields: str) -> Any:
    customer = {"name": "Northfield College", "country": "GB", **fields}
    return lambda body: body["data"].__setitem__("account", customer)


def _line(field: str, value: str) -> Any:
    return lambda body: body["data"]["lines"][0].__setitem__(field, value)


REFUSED = {
    "NUL in a name": (_new_customer(name="North\x00field"), "/data/account/name", "U+0000"),
    "escape in a reference": (
        lambda b: b.__setitem__("external_ref", "OPP-\x1b[31m"),
        "/external_ref",
        "U+001B",
    ),
    "C1 control in notes": (lambda b: b["data"].__setitem__("notes", "a\x85b"), "/data/notes", ""),
    "line break in a one-line field": (_line("sku", "JNL-\nPHYS"), "/data/lines/0/sku", "U+000A"),
    "bidi override in a name": (
        _new_customer(name="Invoice \u202egpj.exe"),
        "/data/account/name",
        "U+202E",
    ),
    "NUL in a key of data": (
        lambda b: b["data"]["clause_positions"].__setitem__("x\x00", "preferred"),
        "/data/clause_positions/x\x00",
        "U+0000",
    ),
    "country ZZ": (_new_customer(country="ZZ"), "/data/account/country", "ISO 3166"),
    "country EU": (_new_customer(country="EU"), "/data/account/country", "ISO 3166"),
    "country XX": (_new_customer(country="XX"), "/data/account/country", "ISO 3166"),
    "currency XXX": (lambda b: b["data"].__setitem__("currency", "XXX"), "/data/currency", ""),
    "currency DEM": (lambda b: b["data"].__setitem__("currency", "DEM"), "/data/currency", ""),
    "currency XAU": (lambda b: b["data"].__setitem__("currency", "XAU"), "/data/currency", ""),
}


@pytest.mark.parametrize("case", REFUSED, ids=list(REFUSED))
def test_bad_text_and_codes_are_refused_naming_the_field(app: APIFlask, case: str) -> None:
    change, pointer, said = REFUSED[case]
    body = _quote(app, lambda b: b["data"].setdefault("clause_positions", {}))
    change(body)
    headers = bearer(app, "support@example.com")
    before = row_counts(app.extensions["contractdesk"])
    response = app.test_client().post("/api/v1/documents", json=body, headers={**headers, **WAIT})
    assert response.status_code == 422, response.text
    assert response.mimetype == PROBLEM_JSON
    errors = {e["pointer"]: e["detail"] for e in response.json["errors"]}
    assert pointer in errors, errors
    assert said in errors[pointer]
    assert row_counts(app.extensions["contractdesk"]) == before


def test_an_unpaired_surrogate_is_refused_not_a_server_error(app: APIFlask) -> None:
    body = json.dumps(plain_quote_request(app)).replace(
        '"data": {', '"data": {"notes": "\\ud800", ', 1
    )
    headers = bearer(app, "support@example.com")
    before = row_counts(app.extensions["contractdesk"])
    response = app.test_client().post(
        "/api/v1/documents", data=body, content_type="application/json", headers={**headers, **WAIT}
    )
    assert response.status_code == 422, response.text
    assert response.json["errors"][0]["pointer"] == "/data/notes"
    assert "U+D800" in response.json["errors"][0]["detail"]
    assert row_counts(app.extensions["contractdesk"]) == before


def test_line_breaks_and_right_to_left_names_are_kept_where_text_allows(app: APIFlask) -> None:
    body = _quote(app, _new_customer(name="جامعة \u200fالقاهرة", address="1 Road\nCairo"))
    body["data"]["notes"] = "First line\r\n\tindented"
    response = app.test_client().post(
        "/api/v1/documents", json=body, headers={**bearer(app, "support@example.com"), **WAIT}
    )
    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    ("path", "pointer"),
    [
        ("/api/v1/documents?external_ref=OPP%00", "/external_ref"),
        ("/api/v1/documents?x%00=1", "/x\x00"),
        ("/api/v1/templates/quo%00te/schema", "/key"),
        ("/api/v1/clauses/limitation%E2%80%AEof-liability", "/key"),
    ],
)
def test_bad_text_in_the_query_or_the_path_is_refused(
    app: APIFlask, path: str, pointer: str
) -> None:
    response = app.test_client().get(path, headers=bearer(app, "admin@example.com"))
    assert response.status_code == 422, response.text
    assert response.mimetype == PROBLEM_JSON
    assert [e["pointer"] for e in response.json["errors"]] == [pointer]


@pytest.mark.parametrize("depth", [33, 100_000])
def test_deeply_nested_json_is_refused_before_it_is_parsed(app: APIFlask, depth: int) -> None:
    body = plain_quote_request(app)
    text = json.dumps(body)
    nested = "[" * depth + "]" * depth
    text = text[:-1] + f', "deep": {nested}}}'
    headers = bearer(app, "support@example.com")
    before = row_counts(app.extensions["contractdesk"])
    response = app.test_client().post(
        "/api/v1/documents", data=text, content_type="application/json", headers={**headers, **WAIT}
    )
    assert response.status_code == 400, response.text
    assert "nested deeper than 32" in response.json["detail"]
    assert row_counts(app.extensions["contractdesk"]) == before


def test_nesting_within_the_limit_reaches_the_schema(app: APIFlask) -> None:
    body = plain_quote_request(app)
    body["deep"] = json.loads("[" * 30 + "]" * 30)  # 31 levels with the body itself
    response = app.test_client().post(
        "/api/v1/documents", json=body, headers={**bearer(app, "support@example.com"), **WAIT}
    )
    assert response.status_code == 422
    assert [e["pointer"] for e in response.json["errors"]] == ["/deep"]


def test_brackets_inside_strings_do_not_count_as_nesting(app: APIFlask) -> None:
    body = plain_quote_request(app)
    body["external_ref"] = "[[[[" * 40 + '\\"{{'
    response = app.test_client().post(
        "/api/v1/documents", json=body, headers={**bearer(app, "support@example.com"), **WAIT}
    )
    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    "path", ["/api/v1/webhooks/docusign", "/api/v1/api-keys", "/api/v1/webhook-endpoints"]
)
def test_a_small_call_refuses_a_large_body(app: APIFlask, path: str) -> None:
    padding = "x" * (65 * 1024)
    headers = bearer(app, "admin@example.com")
    before = row_counts(app.extensions["contractdesk"])
    response = app.test_client().post(
        path, json={"user": "support@example.com", "name": padding}, headers=headers
    )
    assert response.status_code == 413, response.text
    assert "CONTRACTDESK_SMALL_REQUEST_BYTES" in response.json["detail"]
    assert row_counts(app.extensions["contractdesk"]) == before


def test_a_document_may_still_be_large(app: APIFlask) -> None:
    body = plain_quote_request(app)
    body["data"]["notes"] = "n" * 3000
    body["data"]["internal_comment"] = "c" * 3000
    free = next(line for line in body["data"]["lines"] if "description" in line)
    free["description"] = "Training " + "d" * 400
    body["data"]["lines"] += [free] * 180  # about 80 KiB
    response = app.test_client().post(
        "/api/v1/documents:preview", json=body, headers=bearer(app, "support@example.com")
    )
    assert len(json.dumps(body)) > 64 * 1024
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("method", "path", "json_body", "pointer"),
    [
        ("get", "/api/v1/tax-rates?country=ZZ", None, "/country"),
        (
            "post",
            "/api/v1/tax-rates",
            {
                "rates": [
                    {
                        "country": "EU",
                        "category": "standard",
                        "rate_percent": "20",
                        "valid_from": "2027-01-01",
                    }
                ]
            },
            "/rates/0/country",
        ),
        ("put", "/api/v1/price-lists/2027/XTS", {"prices": {"JNL-PHYS": "100.00"}}, "/currency"),
        ("put", "/api/v1/price-lists/2027/DEM", {"prices": {"JNL-PHYS": "100.00"}}, "/currency"),
        (
            "post",
            "/api/v1/exchange-rates",
            {"currency": "XAU", "rate": "2000", "valid_from": "2027-01-01"},
            "/currency",
        ),
        ("get", "/api/v1/products?currency=XXX", None, "/currency"),
    ],
)
def test_countries_and_currencies_are_iso_codes_in_use(
    app: APIFlask, method: str, path: str, json_body: Any, pointer: str
) -> None:
    headers = bearer(app, "admin@example.com")
    before = row_counts(app.extensions["contractdesk"])
    response = getattr(app.test_client(), method)(path, json=json_body, headers=headers)
    assert response.status_code == 422, response.text
    assert pointer in [e["pointer"] for e in response.json["errors"]]
    assert row_counts(app.extensions["contractdesk"]) == before


@pytest.mark.parametrize("key", ["clé-1", "tab\tkey", "x" * 256])
def test_an_idempotency_key_is_printable_ascii(app: APIFlask, key: str) -> None:
    headers = {**bearer(app, "support@example.com"), "Idempotency-Key": key}
    response = app.test_client().post(
        "/api/v1/documents", json=plain_quote_request(app), headers={**headers, **WAIT}
    )
    assert response.status_code == 400
    assert "printable ASCII" in response.json["detail"]


@pytest.mark.parametrize("path", ["/documents?q=%00", "/library/clauses/limitation%00"])
def test_a_page_address_with_a_control_character_is_a_bad_request(app: APIFlask, path: str) -> None:
    response = app.test_client().get(path)
    assert response.status_code == 400
    assert response.mimetype == "text/html"
