"""Tax on documents, decided by the customer's country and VAT number, through the API."""

from __future__ import annotations

import io
from typing import Any

from apiflask import APIFlask
from pypdf import PdfReader

from tests.conftest import WAIT, bearer, row_counts


def _quote(app: APIFlask, account: dict[str, Any], **extra: Any) -> Any:
    body = {
        "template": "quote",
        "data": {
            "account": account,
            "currency": "EUR",
            "lines": [
                {"description": "Journal package 2027", "unit_price": "1000.00", "quantity": 1}
            ],
            **extra,
        },
    }
    return app.test_client().post(
        "/api/v1/documents", json=body, headers={**bearer(app, "support@example.com"), **WAIT}
    )


def _pdf_text(app: APIFlask, document: dict[str, Any]) -> str:
    pdf = app.test_client().get(
        f"/api/v1/documents/{document['id']}/files/pdf",
        headers=bearer(app, "support@example.com"),
    )
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)


def test_an_eu_business_gets_reverse_charge_with_the_legal_note(app: APIFlask) -> None:
    dutch = {"name": "Leiden Library", "country": "NL", "vat_id": "nl 0000 99998 b57"}
    created = _quote(app, dutch)
    assert created.status_code == 201, created.json
    assert created.json["totals"]["tax"] == "0.00"
    assert "Article 196" in " ".join(_pdf_text(app, created.json).split())


def test_domestic_vat_and_the_configured_rate_without_a_vat_number(app: APIFlask) -> None:
    british = _quote(app, {"name": "Northfield College", "country": "GB"})
    assert (british.json["totals"]["tax"], british.json["totals"]["total"]) == ("200.00", "1200.00")
    consumer = _quote(app, {"name": "A reader in Utrecht", "country": "NL"})
    assert consumer.json["totals"]["tax"] == "210.00"
    chinese = _quote(app, {"name": "Huaxin Library", "country": "CN"})
    assert chinese.json["totals"]["tax"] == "0.00"
    assert "Outside the scope of VAT" in " ".join(_pdf_text(app, chinese.json).split())
    given = _quote(app, {"name": "Exempt body", "country": "GB"}, tax_rate_percent="0")
    assert given.json["totals"]["tax"] == "0.00"


def test_a_vat_number_that_does_not_check_out_is_refused(app: APIFlask) -> None:
    support = bearer(app, "support@example.com")
    counts = row_counts(app.extensions["contractdesk"])
    refused = app.test_client().post(
        "/api/v1/documents",
        json={
            "template": "quote",
            "data": {
                "account": {"name": "Leiden Library", "country": "NL", "vat_id": "NL000099998B58"},
                "currency": "EUR",
                "lines": [{"description": "x", "unit_price": "1.00", "quantity": 1}],
            },
        },
        headers={**support, **WAIT},
    )
    assert refused.status_code == 422
    assert refused.json["errors"][0]["pointer"] == "/data/account/vat_id"
    assert "not a valid VAT number" in refused.json["errors"][0]["detail"]
    assert row_counts(app.extensions["contractdesk"]) == counts
