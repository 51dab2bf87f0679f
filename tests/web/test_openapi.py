"""The OpenAPI document a CRM developer reads, and the documentation page that shows it:
every endpoint, its scope, its errors; the page served whole by the service itself."""

from __future__ import annotations

import re

from apiflask import APIFlask

METHODS = {"GET", "POST", "PUT", "DELETE", "PATCH"}


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule)


def test_every_api_endpoint_is_documented_with_its_scope_and_errors(app: APIFlask) -> None:
    spec = app.test_client().get("/api/openapi.json").json
    assert spec["openapi"].startswith("3.1")
    documented = {
        (method.upper(), path)
        for path, operations in spec["paths"].items()
        for method in operations
    }
    served = {
        (method, _openapi_path(rule.rule))
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
        for method in (rule.methods or set()) & METHODS
    }
    assert served - documented == set()

    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if path == "/api/v1/webhooks/docusign":
                assert "security" not in operation  # signed by DocuSign, not keyed
                continue
            [requirement] = operation["security"]
            assert requirement["ApiKey"], (method, path)  # the scope it needs
            assert {"401", "403", "429"} <= set(operation["responses"]), (method, path)
            if method == "post":
                names = [p["name"] for p in operation.get("parameters", [])]
                assert "Idempotency-Key" in names, path
            if method in ("post", "put", "patch") and "requestBody" in operation:
                for content in operation["requestBody"]["content"].values():
                    ref = content["schema"].get("$ref", "")
                    schema = spec["components"]["schemas"].get(ref.rsplit("/", 1)[-1], {})
                    assert (
                        "examples" in schema
                        or "example" in content
                        or (content["schema"].get("format") == "binary")
                    ), (method, path)
    batch = spec["paths"]["/api/v1/batches"]["post"]["requestBody"]["content"]
    assert {"application/jsonl", "text/csv"} <= set(batch)
    create = spec["paths"]["/api/v1/documents"]["post"]
    assert create["security"] == [{"ApiKey": ["documents:write"]}]
    body = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert spec["components"]["schemas"][body.rsplit("/", 1)[1]]["examples"]


def test_the_documentation_page_needs_nothing_from_outside(app: APIFlask) -> None:
    client = app.test_client()
    page = client.get("/api/docs")
    assert page.status_code == 200
    references = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert references and all(
        ref.startswith(("/api/docs/assets/", "/static/")) for ref in references
    )
    for ref in references:
        asset = client.get(ref)
        assert asset.status_code == 200 and len(asset.data) > 200, ref
    assert "/api/openapi.json" in page.text
