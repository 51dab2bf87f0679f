"""Tax by line, as finance and a customer meet it: each product's tax category takes its
country's rate on the day it is taxed, documents show the tax of each rate, the licence
states its fees net, and finance keeps the rate table."""

from __future__ import annotations

import io
import json
import uuid
from decimal import Decimal
from typing import Any

from apiflask import APIFlask
from docx import Document as open_docx
from pypdf import PdfReader

from app.config import PROJECT_ROOT
from app.documents import assembling, records
from tests.conftest import WAIT, bearer, row_counts

D = Decimal
LEIDEN = {"name": "Leiden Public Library", "country": "NL", "address": "Nieuwstraat 4, Leiden"}
"""A Dutch library without a VAT number: it pays Dutch VAT, at the Dutch rates."""
LINES = [{"sku": "JNL-MATH", "quantity": 1}, {"sku": "SVC-TDM", "quantity": 1}]
"""A journal collection (an e-publication, 9 % in the Netherlands) and a text and data
mining service (standard, 21 %), at EUR 9,800 and 3,500."""


def _create(app: APIFlask, template: str, data: dict[str, Any]) -> dict[str, Any]:
    created = app.test_client().post(
        "/api/v1/documents",
        json={"template": template, "data": data},
        headers={**bearer(app, "support@example.com"), **WAIT},
    )
    assert created.status_code == 201, created.json
    return created.json


def _file(app: APIFlask, document: dict[str, Any], kind: str) -> bytes:
    answer = app.test_client().get(
        f"/api/v1/documents/{document['id']}/files/{kind}",
        headers=bearer(app, "support@example.com"),
    )
    assert answer.status_code == 200
    return answer.data


def _pdf_text(app: APIFlask, document: dict[str, Any]) -> str:
    pages = PdfReader(io.BytesIO(_file(app, document, "pdf"))).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def _docx_text(app: APIFlask, document: dict[str, Any]) -> str:
    docx = open_docx(io.BytesIO(_file(app, document, "docx")))
    cells = [c.text for t in docx.tables for row in t.rows for c in row.cells]
    return " ".join(" ".join([*(p.text for p in docx.paragraphs), *cells]).split())


def _record(app: APIFlask, document: dict[str, Any]) -> dict[str, Any]:
    uow = app.extensions["contractdesk"].unit_of_work()
    with uow:
        return dict(records.get_document(uow.session, uuid.UUID(document["id"])).totals)


def _rates(
    app: APIFlask, method: str, rates: list[dict[str, Any]], user: str | dict[str, str]
) -> Any:
    call = getattr(app.test_client(), method)
    headers = bearer(app, user) if isinstance(user, str) else user
    return call("/api/v1/tax-rates", json={"rates": rates}, headers=headers)


def test_a_journal_at_the_reduced_rate_and_a_service_at_the_standard_rate(app: APIFlask) -> None:
    quote = _create(app, "quote", {"account": LEIDEN, "currency": "EUR", "lines": LINES})
    assert quote["totals"] == {
        "subtotal": "13300.00",
        "discount": "0.00",
        "net": "13300.00",
        "tax": "1617.00",  # 9 % of 9,800 = 882.00 and 21 % of 3,500 = 735.00
        "total": "14917.00",
    }
    record = _record(app, quote)
    assert [
        (line["sku"], line["tax_category"], line["tax_rate_percent"], line["net"], line["tax"])
        for line in record["lines"]
    ] == [
        ("JNL-MATH", "e-publication", "9", "9800.00", "882.00"),
        ("SVC-TDM", "standard", "21", "3500.00", "735.00"),
    ]
    assert record["bands"] == [
        {"rate_percent": "21", "net": "3500.00", "tax": "735.00"},
        {"rate_percent": "9", "net": "9800.00", "tax": "882.00"},
    ]
    assert (record["tax_rate_percent"], record["tax_treatment"]) == (None, "mixed")

    pdf = _pdf_text(app, quote)
    totals = pdf[pdf.index("Subtotal") :]
    assert "Tax 21 % on €3,500.00 €735.00" in totals
    assert "Tax 9 % on €9,800.00 €882.00" in totals
    assert "Total €14,917.00" in totals
    docx = _docx_text(app, quote)
    assert "Tax 21 % on €3,500.00 €735.00" in docx
    assert "Tax 9 % on €9,800.00 €882.00" in docx


def test_an_eu_business_is_charged_no_vat_on_any_line_with_the_note(app: APIFlask) -> None:
    consortium = {
        "name": "Leiden Library",
        "country": "NL",
        "vat_id": "NL000099998B57",
        "address": "Witte Singel 27, Leiden",
    }
    quote = _create(
        app, "quote", {"account": consortium, "currency": "EUR", "lines": LINES, "language": "nl"}
    )
    record = _record(app, quote)
    assert {line["tax_treatment"] for line in record["lines"]} == {"reverse_charge"}
    assert (record["tax"], record["tax_treatment"]) == ("0.00", "reverse_charge")
    assert record["tax_notes"] == ["tax_note_reverse_charge"]
    pdf = _pdf_text(app, quote)
    assert "Btw 0 % over € 13.300,00 € 0,00" in pdf
    assert "Btw verlegd" in pdf and "artikel 196" in pdf


def _licence(start: str) -> dict[str, Any]:
    data = json.loads(
        (PROJECT_ROOT / "contract_templates/licence-agreement/sample.json").read_text()
    )
    del data["tax_rate_percent"]
    return {
        **data,
        "account": LEIDEN,
        "lines": LINES,
        "term": {"start": start, "years": 3},
        "annual_uplift_percent": "0",
    }


def test_the_licence_states_its_fees_net_and_each_year_takes_the_rate_of_its_first_day(
    app: APIFlask,
) -> None:
    # The Dutch reduced rate on e-publications rises to 11 % on 1 January 2028.
    change = [
        {
            "country": "NL",
            "category": "e-publication",
            "rate_percent": "11",
            "valid_from": "2028-01-01",
        }
    ]
    added = _rates(app, "post", change, "finance@example.com")
    assert added.status_code == 200, added.json
    dutch = [r for r in added.json["items"] if r["country"] == "NL"]
    assert [(r["category"], r["rate_percent"], r["valid_from"], r["valid_to"]) for r in dutch] == [
        ("e-publication", "9", "2020-01-01", "2027-12-31"),
        ("e-publication", "11", "2028-01-01", None),
        ("standard", "21", "2012-10-01", None),
    ]

    licence = _create(app, "licence-agreement", _licence("2027-07-01"))
    record = _record(app, licence)
    # the journals: 9 % in the year from July 2027, 11 % in the years from July 2028 and 2029
    assert [(y["starts"], y["tax"]) for y in record["years"]] == [
        ("2027-07-01", "1617.00"),  # 882.00 + 735.00
        ("2028-07-01", "1813.00"),  # 1,078.00 + 735.00
        ("2029-07-01", "1813.00"),
    ]
    assert (record["net"], record["tax"], record["total"]) == ("39900.00", "5243.00", "45143.00")
    assert record["bands"] == [
        {"rate_percent": "21", "net": "10500.00", "tax": "2205.00"},
        {"rate_percent": "11", "net": "19600.00", "tax": "2156.00"},
        {"rate_percent": "9", "net": "9800.00", "tax": "882.00"},
    ]

    pdf = _pdf_text(app, licence)
    assert "Total fees for the term €39,900.00 (excluding VAT)" in pdf
    schedule = pdf[pdf.index("Schedule 1") :]
    assert "VAT 11 % on €9,800.00 €1,078.00" in schedule
    assert "Total fees for the term €39,900.00" in schedule
    assert "VAT 11 % on €19,600.00 €2,156.00" in schedule
    assert "Total including VAT €45,143.00" in schedule
    docx = _docx_text(app, licence)
    assert "Total fees for the term €39,900.00 (excluding VAT)" in docx
    assert "VAT 11 % on €19,600.00: €2,156.00" in docx


def test_a_document_keeps_the_rates_it_was_made_with(app: APIFlask) -> None:
    quote = _create(app, "quote", {"account": LEIDEN, "currency": "EUR", "lines": LINES})
    before = _record(app, quote)
    table = _rates(app, "get", [], "finance@example.com").json["items"]
    for rate in table:
        rate["rate_percent"] = "25" if rate["country"] == "NL" else rate["rate_percent"]
    assert _rates(app, "put", table, "finance@example.com").status_code == 200
    uow = app.extensions["contractdesk"].unit_of_work()
    assert assembling.assemble_stored(uow, uuid.UUID(quote["id"])).record == before
    again = _create(app, "quote", {"account": LEIDEN, "currency": "EUR", "lines": LINES})
    assert again["totals"]["tax"] == "3325.00"


def test_an_overlapping_rate_table_is_refused_naming_the_row_and_changes_nothing(
    app: APIFlask,
) -> None:
    runtime = app.extensions["contractdesk"]
    finance, support = bearer(app, "finance@example.com"), bearer(app, "support@example.com")
    before = row_counts(runtime), _rates(app, "get", [], finance).json
    table = [
        {"country": "NL", "category": "standard", "rate_percent": "21", "valid_from": "2012-10-01"},
        {
            "country": "NL",
            "category": "e-publication",
            "rate_percent": "9",
            "valid_from": "2020-01-01",
            "valid_to": "2027-12-31",
        },
        {
            "country": "NL",
            "category": "e-publication",
            "rate_percent": "11",
            "valid_from": "2027-12-31",
        },
    ]
    refused = _rates(app, "put", table, finance)
    assert refused.status_code == 422
    [error] = refused.json["errors"]
    assert error["pointer"] == "/rates/2/valid_from"
    assert "overlaps row 1" in error["detail"]

    # a bounded rate inside a standing one is no rate change: refused too
    inside = {**table[1], "valid_from": "2030-01-01", "valid_to": "2030-06-30"}
    refused = _rates(app, "post", [table[0], inside], finance)
    assert refused.status_code == 422
    assert [e["pointer"] for e in refused.json["errors"]] == [
        "/rates/0/valid_from",
        "/rates/1/valid_from",
    ]

    backwards = {**table[1], "valid_to": "2019-01-01"}
    refused = _rates(app, "put", [backwards], finance)
    assert refused.status_code == 422
    assert refused.json["errors"][0]["pointer"] == "/rates/0/valid_to"

    assert _rates(app, "put", table[:2], support).status_code == 403
    assert (row_counts(runtime), _rates(app, "get", [], finance).json) == before


def test_a_line_on_a_day_without_a_rate_or_with_an_unknown_category_is_refused(
    app: APIFlask,
) -> None:
    spain = [
        {"country": "ES", "category": "standard", "rate_percent": "21", "valid_from": "2099-01-01"}
    ]
    assert _rates(app, "post", spain, "finance@example.com").status_code == 200
    runtime = app.extensions["contractdesk"]
    support = bearer(app, "support@example.com")
    before = row_counts(runtime)
    refused = app.test_client().post(
        "/api/v1/documents",
        json={
            "template": "quote",
            "data": {
                "account": {"name": "Biblioteca de Sevilla", "country": "ES"},
                "currency": "EUR",
                "lines": LINES,
            },
        },
        headers={**support, **WAIT},
    )
    assert refused.status_code == 422
    assert refused.json["errors"][0]["pointer"] == "/data/lines/0"
    assert "no VAT rate for ES e-publication" in refused.json["errors"][0]["detail"]

    mistyped = app.test_client().post(
        "/api/v1/documents",
        json={
            "template": "quote",
            "data": {
                "account": LEIDEN,
                "currency": "EUR",
                "lines": [
                    {
                        "description": "E-journal",
                        "unit_price": "900.00",
                        "quantity": 1,
                        "tax_category": "e-publicaton",
                    }
                ],
            },
        },
        headers={**support, **WAIT},
    )
    assert mistyped.status_code == 422
    assert mistyped.json["errors"][0]["pointer"] == "/data/lines/0/tax_category"
    assert row_counts(runtime) == before


def test_a_free_line_takes_the_tax_category_it_is_given(app: APIFlask) -> None:
    lines = [
        {"description": "E-journal", "unit_price": "900.00", "quantity": 1},
        {"description": "Platform fee", "unit_price": "100.00", "quantity": 1},
    ]
    lines[0]["tax_category"] = "e-publication"
    preview = app.test_client().post(
        "/api/v1/documents:preview",
        json={"template": "quote", "data": {"account": LEIDEN, "currency": "EUR", "lines": lines}},
        headers=bearer(app, "support@example.com"),
    )
    assert preview.status_code == 200, preview.json
    assert preview.json["totals"]["bands"] == [
        {"rate_percent": "21", "net": "100.00", "tax": "21.00"},
        {"rate_percent": "9", "net": "900.00", "tax": "81.00"},
    ]
    assert [line["tax_treatment"] for line in preview.json["lines"]] == ["reduced", "standard"]
