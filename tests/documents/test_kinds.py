"""Licence agreements, amendments and title lists through the API, checked the way legal
and a subscription agent would read them: the PDF's text, the spreadsheet's cells."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from typing import Any

from apiflask import APIFlask
from openpyxl import load_workbook
from pypdf import PdfReader

from app.config import PROJECT_ROOT
from tests.conftest import WAIT, account_id, bearer
from tests.rendering.test_pdf_docx_parity import pdf_text as body_text

TEMPLATES = PROJECT_ROOT / "contract_templates"


def _sample(template: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((TEMPLATES / template / "sample.json").read_text())
    return data


def _licence(app: APIFlask, **changes: Any) -> dict[str, Any]:
    data = _sample("licence-agreement")
    data["account"] = account_id(app.extensions["contractdesk"], "Consortium")
    data["lines"] = [
        {"sku": "JNL-PHYS", "quantity": 1},
        {"sku": "JNL-CHEM", "quantity": 1, "discount_percent": "4"},
    ]
    data.update(changes)
    return {"template": "licence-agreement", "data": data}


def _file(client: Any, headers: dict[str, str], document: dict[str, Any], kind: str) -> bytes:
    answer = client.get(f"/api/v1/documents/{document['id']}/files/{kind}", headers=headers)
    assert answer.status_code == 200, answer.text
    return bytes(answer.data)


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _flat(text: str) -> str:
    return "".join(text.split())


def test_a_licence_prices_each_year_of_its_term_with_the_uplift(app: APIFlask) -> None:
    client = app.test_client()
    support = bearer(app, "support@example.com")
    created = client.post("/api/v1/documents", json=_licence(app), headers={**support, **WAIT})
    assert created.status_code == 201, created.json
    licence = created.json
    assert licence["number"].startswith("L-") and licence["template"] == "licence-agreement"

    # EUR list prices: physics 18,500; chemistry 16,200 less 4 % = 15,552; uplift 3 %.
    year_one = Decimal("18500.00") + Decimal("15552.00")
    year_two = Decimal("19055.00") + Decimal("16018.56")  # 16,686.00 less 4 %
    year_three = Decimal("19626.65") + Decimal("16499.12")  # 17,186.58 less 4 %
    assert Decimal(licence["totals"]["total"]) == year_one + year_two + year_three

    text = _text(_file(client, support, licence, "pdf"))
    flat = _flat(text)
    for heading in ("1.Definitions", "6.Perpetualandarchivalaccess", "7.Feesandpayment"):
        assert heading in flat, heading
    assert _flat("€35,073.56") in flat  # year 2 total in Schedule 1
    assert _flat("Schedule 2 · Licensed titles") in flat
    assert "Journal of Applied Northfield Physics" in text


def test_a_licence_without_perpetual_access_leaves_that_section_out(app: APIFlask) -> None:
    client = app.test_client()
    support = bearer(app, "support@example.com")
    body = _licence(app, perpetual_access=False, term={"start": "2027-01-01", "years": 1})
    created = client.post("/api/v1/documents", json=body, headers={**support, **WAIT}).json
    flat = _flat(_text(_file(client, support, created, "pdf")))
    assert "Perpetualandarchivalaccess" not in flat
    assert "6.Feesandpayment" in flat
    # The uplift clause applies only to terms longer than a year.
    assert "6.1Fees" in flat and "6.2Invoicingandpayment" in flat
    assert "Annualuplift" not in flat.replace("Annualuplift:", "")


def test_a_chinese_licence_embeds_a_cjk_font_and_its_text_reads_back(app: APIFlask) -> None:
    client = app.test_client()
    support = bearer(app, "support@example.com")
    body = _licence(app, language="zh", jurisdiction="prc")
    body["data"]["account"] = account_id(app.extensions["contractdesk"], "Huaxin")
    created = client.post("/api/v1/documents", json=body, headers={**support, **WAIT})
    assert created.status_code == 201, created.json
    pdf = _file(client, support, created.json, "pdf")
    # The body without the running header and footer: a clause may run on to the next page.
    flat = _flat(body_text(pdf).replace("•", ""))
    for phrase in ("许可协议", "协议条款", "中国国际经济贸易仲裁委员会", "附件2·许可刊名"):
        assert _flat(phrase) in flat, phrase
    fonts = {
        str(font["/BaseFont"])
        for page in PdfReader(io.BytesIO(pdf)).pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("CJK" in name for name in fonts), fonts
    assert "\ufffd" not in _text(pdf)


def test_an_amendment_names_the_agreement_and_states_only_the_changes(app: APIFlask) -> None:
    client = app.test_client()
    support = bearer(app, "support@example.com")
    data = _sample("amendment")
    data["account"] = account_id(app.extensions["contractdesk"], "Consortium")
    created = client.post(
        "/api/v1/documents",
        json={"template": "amendment", "data": data},
        headers={**support, **WAIT},
    )
    assert created.status_code == 201, created.json
    assert created.json["number"].startswith("A-")
    assert created.json["totals"]["total"] == "730.96"
    text = _text(_file(client, support, created.json, "pdf"))
    flat = _flat(text)
    assert _flat("L-2027-000001 of 1 December 2026") in flat
    assert "Journal of Sample Photonics" in text and "Review of Coastal Earth Sciences" in text
    assert _flat("The term of the agreement is extended to 31 December 2030.") in flat
    assert "Definitions" not in text and "Authorised users" not in text

    nothing = dict(data, titles_added=[], titles_removed=[], lines=[], new_end_date=None)
    refused = client.post(
        "/api/v1/documents",
        json={"template": "amendment", "data": nothing},
        headers={**support, **WAIT},
    )
    assert refused.status_code == 422
    assert "adds or removes titles" in refused.json["errors"][0]["detail"]


def test_a_title_list_comes_as_pdf_docx_xlsx_csv_and_kbart_with_the_same_rows(
    app: APIFlask,
) -> None:
    client = app.test_client()
    support = bearer(app, "support@example.com")
    data = _sample("title-list")
    data["account"] = account_id(app.extensions["contractdesk"], "Consortium")
    created = client.post(
        "/api/v1/documents",
        json={"template": "title-list", "data": data},
        headers={**support, **WAIT},
    )
    assert created.status_code == 201, created.json
    files = {kind for kind, url in created.json["files"].items() if url}
    assert files == {"pdf", "docx", "xlsx", "csv", "kbart"}

    expected = [
        [t["title"], t["issn"], t["eissn"], t["subject"], t["price"]] for t in data["titles"]
    ]
    rows = list(
        csv.reader(io.StringIO(_file(client, support, created.json, "csv").decode("utf-8-sig")))
    )
    header = rows[0]
    assert header[:3] == ["Title", "ISSN", "eISSN"] and header[-1] == "Price (EUR)"
    at = [header.index(name) for name in ("Title", "ISSN", "eISSN", "Subject", "Price (EUR)")]
    assert [[row[i] for i in at] for row in rows[1:]] == expected

    sheet = load_workbook(io.BytesIO(_file(client, support, created.json, "xlsx"))).active
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert cells[0] == header
    assert [[row[i] for i in at[:4]] for row in cells[1:]] == [row[:4] for row in expected]
    assert [Decimal(str(row[at[4]])) for row in cells[1:]] == [
        Decimal(t["price"]) for t in data["titles"]
    ]

    text = _text(_file(client, support, created.json, "pdf"))
    for title in data["titles"]:
        assert title["issn"] in text

    kbart = _file(client, support, created.json, "kbart").decode("utf-8")
    records = list(csv.reader(io.StringIO(kbart), delimiter="\t"))
    assert [r[:3] for r in records[1:]] == [
        [t["title"], t["issn"], t["eissn"]] for t in data["titles"]
    ]


def test_an_invalid_issn_is_refused_with_a_pointer(app: APIFlask) -> None:
    client = app.test_client()
    data = _sample("title-list")
    data["account"] = account_id(app.extensions["contractdesk"], "Consortium")
    data["titles"][3]["issn"] = "0028-0837"
    refused = client.post(
        "/api/v1/documents",
        json={"template": "title-list", "data": data},
        headers={**bearer(app, "support@example.com"), **WAIT},
    )
    assert refused.status_code == 422
    assert refused.json["errors"][0]["pointer"] == "/data/titles/3/issn"
    assert "not a valid ISSN" in refused.json["errors"][0]["detail"]
