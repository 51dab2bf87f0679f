"""Generating again makes a new version beside the old one; the OpenAPI document is served."""

from __future__ import annotations

import hashlib

from apiflask import APIFlask

from tests.conftest import WAIT, account_id, bearer, row_counts
from tests.support.flows import plain_quote_request, quote_request


def test_generating_again_adds_a_version_and_keeps_the_first(app: APIFlask) -> None:
    client = app.test_client()
    runtime = app.extensions["contractdesk"]
    support = bearer(app, "support@example.com")
    doc = client.post(
        "/api/v1/documents",
        json=quote_request(account_id(runtime, "University")),
        headers={**support, **WAIT},
    ).json
    first = client.get(f"/api/v1/documents/{doc['id']}/files/pdf", headers=support).data

    again = client.post(f"/api/v1/documents/{doc['id']}/regenerate", headers={**support, **WAIT})
    assert again.status_code == 201 and again.json["version"] == 2
    assert client.get(f"/api/v1/documents/{doc['id']}", headers=support).json["version"] == 2

    v1 = client.get(f"/api/v1/documents/{doc['id']}/files/pdf?version=1", headers=support)
    v2 = client.get(f"/api/v1/documents/{doc['id']}/files/pdf", headers=support)
    assert v1.data == first
    assert v2.headers["Content-Disposition"].endswith('-pdf-v2.pdf"')
    assert v1.headers["ETag"] == f'"{hashlib.sha256(first).hexdigest()}"'
    stored = sorted(
        p for p in (runtime.settings.storage_dir / "documents").rglob("*") if p.is_file()
    )
    assert len(stored) == 4  # pdf and docx, twice
    missing = client.get(f"/api/v1/documents/{doc['id']}/files/pdf?version=7", headers=support)
    assert missing.status_code == 404


def test_a_sent_document_cannot_be_generated_again(app: APIFlask) -> None:
    client = app.test_client()
    runtime = app.extensions["contractdesk"]
    support = bearer(app, "support@example.com")
    doc = client.post(
        "/api/v1/documents", json=plain_quote_request(app), headers={**support, **WAIT}
    ).json
    client.post(
        f"/api/v1/documents/{doc['id']}/send",
        json={"signers": [{"name": "A Signer", "email": "a@example.org"}]},
        headers=support,
    )
    before = row_counts(runtime)
    refused = client.post(f"/api/v1/documents/{doc['id']}/regenerate", headers={**support, **WAIT})
    assert refused.status_code == 409
    assert row_counts(runtime) == before


def test_a_stored_object_that_was_changed_is_refused(app: APIFlask) -> None:
    client = app.test_client()
    runtime = app.extensions["contractdesk"]
    support = bearer(app, "support@example.com")
    doc = client.post(
        "/api/v1/documents",
        json=quote_request(account_id(runtime, "University")),
        headers={**support, **WAIT},
    ).json
    [pdf] = (runtime.settings.storage_dir / "documents" / doc["id"] / "pdf").iterdir()
    pdf.chmod(0o644)
    tampered = bytearray(pdf.read_bytes())
    tampered[len(tampered) // 2] ^= 0x01
    pdf.write_bytes(bytes(tampered))
    answer = client.get(doc["files"]["pdf"], headers=support)
    assert answer.status_code == 500
    assert answer.json["type"] == "/problems/integrity-failure"


def test_the_openapi_document_describes_the_api(app: APIFlask) -> None:
    spec = app.test_client().get("/api/openapi.json").json
    assert spec["openapi"].startswith("3.1")
    paths = spec["paths"]
    for path in (
        "/api/v1/documents",
        "/api/v1/documents/{document_id}",
        "/api/v1/documents/{document_id}/files/{kind}",
        "/api/v1/documents/{document_id}/approvals",
        "/api/v1/documents/{document_id}/send",
        "/api/v1/webhook-endpoints",
    ):
        assert path in paths, path
    create = paths["/api/v1/documents"]["post"]
    assert {"201", "422", "401"} <= set(create["responses"])
    assert "ApiKey" in spec["components"]["securitySchemes"]
    schema_text = str(spec["components"]["schemas"])
    for field in ("discount_percent", "tax_rate_percent", "unit_price", "routing_order"):
        assert field in schema_text


def test_each_template_publishes_the_schema_of_its_data(app: APIFlask) -> None:
    client = app.test_client()
    headers = bearer(app, "support@example.com")
    licence = client.get("/api/v1/templates/licence-agreement/schema", headers=headers).json
    assert licence["kind"] == "licence" and licence["languages"] == ["en", "nl", "zh"]
    assert {"term", "sites", "titles", "account"} <= set(licence["schema"]["properties"])
    assert "term" in licence["schema"]["required"]
    assert licence["schema"]["properties"]["language"]["enum"] == ["en", "nl", "zh"]
    missing = client.get("/api/v1/templates/no-such-template/schema", headers=headers)
    assert missing.status_code == 404

    spec = client.get("/api/openapi.json").json
    schemas = spec["components"]["schemas"]
    assert {"QuoteData", "LicenceData", "AmendmentData", "TitleListData"} <= set(schemas)
    refs = [option["$ref"] for option in schemas["DocumentIn"]["properties"]["data"]["oneOf"]]
    assert "#/components/schemas/LicenceData" in refs
