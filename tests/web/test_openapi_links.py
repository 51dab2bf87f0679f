"""The OpenAPI document names its operations and links them (issue 21): an answer that
names a record links to every call that takes it, so a generated client (and the stateful
fuzzing of tests/web/test_api_fuzz.py) can go from a created quote to its get, revision
and sending without knowing the paths."""

from __future__ import annotations

import re
from typing import Any

from apiflask import APIFlask

from tests.conftest import WAIT, api_key
from tests.support.flows import plain_quote_request

METHODS = ("get", "put", "post", "delete", "patch")
# Price lists are named by a year and a currency, which the caller chooses.
NAMED_BY_THE_CALLER = {"/api/v1/price-lists/{year}/{currency}"}


def _operations(spec: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, Any]]]:
    return {
        operation["operationId"]: (method, path, operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    }


def _links(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (source, status, link)
        for source, (_, _, operation) in _operations(spec).items()
        for status, answer in operation["responses"].items()
        for link in answer.get("links", {}).values()
    ]


def test_every_operation_has_a_unique_id(app: APIFlask) -> None:
    spec = app.test_client().get("/api/openapi.json").json
    ids = [
        operation.get("operationId")
        for item in spec["paths"].values()
        for method, operation in item.items()
        if method in METHODS
    ]
    assert None not in ids
    assert len(ids) == len(set(ids))


def test_every_call_on_a_record_is_reached_by_a_link(app: APIFlask) -> None:
    spec = app.test_client().get("/api/openapi.json").json
    reached = {link["operationId"] for _, _, link in _links(spec)}
    unreached = [
        f"{method.upper()} {path}"
        for operation_id, (method, path, _) in _operations(spec).items()
        if "{" in path and path not in NAMED_BY_THE_CALLER and operation_id not in reached
    ]
    assert unreached == []


def test_each_link_fills_parameters_its_target_has_from_a_successful_answer(
    app: APIFlask,
) -> None:
    spec = app.test_client().get("/api/openapi.json").json
    operations = _operations(spec)
    for source, status, link in _links(spec):
        assert status.startswith("2"), (source, status)
        _, path, _ = operations[link["operationId"]]
        for name, expression in link["parameters"].items():
            assert f"{{{name}}}" in path, (source, link)
            assert re.fullmatch(r"\$response\.body#(/[a-z_0-9]+)+", expression), expression


def _follow(expression: str, body: Any) -> Any:
    for step in expression.removeprefix("$response.body#/").split("/"):
        body = body[int(step)] if isinstance(body, list) else body[step]
    return body


def test_following_the_links_of_a_created_quote_reaches_it(app: APIFlask) -> None:
    client = app.test_client()
    headers = {"Authorization": f"Bearer {api_key(app, 'admin@example.com')}"}
    spec = client.get("/api/openapi.json").json
    operations = _operations(spec)
    created = client.post(
        "/api/v1/documents", json=plain_quote_request(app), headers={**headers, **WAIT}
    )
    assert created.status_code == 201
    links = spec["paths"]["/api/v1/documents"]["post"]["responses"]["201"]["links"]

    def target(operation_id: str) -> str:
        _, path, _ = operations[operation_id]
        for name, expression in links[operation_id]["parameters"].items():
            path = path.replace(f"{{{name}}}", str(_follow(expression, created.json)))
        return path

    document = client.get(target("get_api_documents_get"), headers=headers)
    assert document.status_code == 200
    assert document.json["number"] == created.json["number"]
    explanation = client.get(target("get_api_approvals_explanation"), headers=headers)
    assert explanation.status_code == 200
    listed = client.get("/api/v1/documents", headers=headers).json
    list_links = spec["paths"]["/api/v1/documents"]["get"]["responses"]["200"]["links"]
    first = _follow(list_links["get_api_documents_get"]["parameters"]["document_id"], listed)
    assert client.get(f"/api/v1/documents/{first}", headers=headers).status_code == 200
