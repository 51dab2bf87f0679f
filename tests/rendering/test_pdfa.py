"""Every PDF we store is a PDF/A-3 an archive takes as it is: XMP identification, an sRGB
output intent, fonts embedded, no encryption or JavaScript, the document's title and
language, dated by its version (not by the render), and carrying the contract's data as
`contract.json` (AFRelationship /Data) that reads back as the document's own record:
level A (tagged for screen readers) when laid out in one piece, level B when joined from
parts (a long schedule)."""

from __future__ import annotations

import io
import uuid
import zipfile
from datetime import date
from decimal import Decimal
from typing import Any

from apiflask import APIFlask

from app.documents.as_amended_files import render_as_amended_pdf
from app.documents.models import Document
from app.runtime import Runtime
from tests.conftest import WAIT, account_id, bearer
from tests.documents.test_as_amended_files import _view as as_amended_view
from tests.support.licences import create_licence
from tests.support.pdfa import assert_pdfa, embedded_data


def _pdf(app: APIFlask, document_id: str) -> bytes:
    answer = app.test_client().get(
        f"/api/v1/documents/{document_id}/files/pdf",
        headers=bearer(app, "support@example.com"),
    )
    assert answer.status_code == 200
    return answer.data


def _document(runtime: Runtime, document_id: str) -> dict[str, Any]:
    with runtime.unit_of_work() as uow:
        document = uow.session.get(Document, uuid.UUID(document_id))
        assert document is not None
        pdf_file = document.file("pdf")
        assert pdf_file is not None
        return {
            "number": document.number,
            "data": document.data,
            "customer": document.customer,
            "totals": document.totals,
            "made_at": pdf_file.created_at,
            "clauses": [
                (p.clause_version.clause.key, p.clause_version.version, p.clause_version.sha256)
                for p in document.clauses
            ],
        }


def _assert_carries_its_record(pdf: bytes, record: dict[str, Any]) -> None:
    data = embedded_data(pdf)
    assert data["schema"] == "contractdesk.contract-data/1"
    assert data["document"]["number"] == record["number"]
    assert data["document"]["version"] == 1
    assert data["data"] == record["data"]
    assert data["parties"]["customer"]["name"] == record["customer"]["name"]
    assert data["parties"]["customer"]["vat_id"] == record["customer"]["vat_id"]
    assert data["lines"] == record["totals"]["lines"]
    assert data["totals"]["total"] == record["totals"]["total"]
    assert Decimal(data["totals"]["total"]) == sum(
        (Decimal(period["total"]) for period in data["periods"]), Decimal(0)
    )
    assert data["term"] == {
        "start": record["data"]["term"]["start"],
        "end": data["periods"][-1]["ends"],
        "years": record["data"]["term"]["years"],
    }
    assert [(c["key"], c["version"], c["sha256"]) for c in data["clauses"]] == record["clauses"]


def test_a_licence_is_pdfa_3a_tagged_with_title_language_dates_and_its_data(
    app: APIFlask, runtime: Runtime
) -> None:
    document_id = create_licence(app)
    pdf = _pdf(app, document_id)
    record = _document(runtime, document_id)

    reader = assert_pdfa(pdf, conformance="A")
    assert reader.metadata is not None
    assert record["number"] in str(reader.metadata.title)
    assert reader.trailer["/Root"]["/Lang"] == "en"
    stamp = record["made_at"].strftime("%Y%m%d%H%M%S")
    assert str(reader.metadata["/CreationDate"]).startswith(f"D:{stamp}")
    assert str(reader.metadata["/ModDate"]).startswith(f"D:{stamp}")
    _assert_carries_its_record(pdf, record)


def test_a_dutch_licence_says_its_language(app: APIFlask) -> None:
    pdf = _pdf(app, create_licence(app, language="nl"))
    assert assert_pdfa(pdf).trailer["/Root"]["/Lang"] == "nl"


def test_a_licence_joined_from_parts_is_pdfa_3b_with_its_data_too(
    app: APIFlask, runtime: Runtime
) -> None:
    document_id = create_licence(app, titles=300)
    pdf = _pdf(app, document_id)
    record = _document(runtime, document_id)

    reader = assert_pdfa(pdf, conformance="B")
    assert len(reader.pages) > 8
    assert not str(reader.metadata.get("/Producer", "")).startswith("pypdf")
    assert str(reader.metadata["/CreationDate"]).startswith(
        "D:" + record["made_at"].strftime("%Y%m%d%H%M%S")
    )
    _assert_carries_its_record(pdf, record)
    assert len(embedded_data(pdf)["data"]["titles"]) == 300


def test_the_quote_and_its_docx_are_dated_by_their_version(app: APIFlask, runtime: Runtime) -> None:
    client = app.test_client()
    created = client.post(
        "/api/v1/documents",
        json={
            "template": "quote",
            "data": {
                "account": account_id(app.extensions["contractdesk"], "University"),
                "currency": "EUR",
                "lines": [{"sku": "JNL-PHYS", "quantity": 1}],
            },
        },
        headers={**bearer(app, "support@example.com"), **WAIT},
    )
    assert created.status_code == 201, created.json
    pdf = _pdf(app, created.json["id"])
    assert_pdfa(pdf, conformance="A")
    data = embedded_data(pdf)
    assert data["term"] is None and data["periods"] == []
    docx = client.get(
        f"/api/v1/documents/{created.json['id']}/files/docx",
        headers=bearer(app, "support@example.com"),
    ).data
    made_at = _document(runtime, created.json["id"])["made_at"]
    with zipfile.ZipFile(io.BytesIO(docx)) as package:
        core = package.read("docProps/core.xml").decode()
        times = {entry.date_time for entry in package.infolist()}
    stamp = made_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert f">{stamp}</dcterms:created>" in core and f">{stamp}</dcterms:modified>" in core
    zip_time = made_at.replace(second=made_at.second // 2 * 2)  # zip keeps even seconds
    assert times == {zip_time.timetuple()[:6]}


def test_the_service_s_own_chinese_pdf_is_pdfa_with_its_cjk_fonts_embedded() -> None:
    pdf = render_as_amended_pdf(as_amended_view("zh"), today=date(2026, 12, 6))
    reader = assert_pdfa(pdf, conformance="A")
    assert reader.trailer["/Root"]["/Lang"] == "zh"
    assert reader.metadata is not None and reader.metadata.title == "L-1（经修订）"
    assert "/CreationDate" not in reader.metadata  # no version, no date: the same every time
    assert render_as_amended_pdf(as_amended_view("zh"), today=date(2026, 12, 6)) == pdf
