"""Every page of every generated PDF says which document and version it belongs to, which
page of how many it is, and the version's fingerprint; a version waiting for approval says
DRAFT on every page in the document's language and the approved one does not; and the
parties are named as a legal team expects (company and VAT numbers, signatories' titles)."""

from __future__ import annotations

import io
import json
import re
import time
import uuid
from typing import Any

import docx
import pytest
from apiflask import APIFlask
from pypdf import PdfReader
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.config import PROJECT_ROOT
from app.documents.reproduce import verify_version
from app.rendering.page_marks import PageMarks, signed_page_stamp, with_marks
from tests.conftest import WAIT, account_id, bearer
from tests.support.flows import quote_request, send_and_sign

PAGE = {"en": "Page {n} of {m}", "nl": "Pagina {n} van {m}", "zh": "第 {n} 页，共 {m} 页"}
DRAFT = {"en": "DRAFT", "nl": "CONCEPT", "zh": "草稿"}
SIGNATORIES = {
    "customer_signatory": {"name": "Anneke de Vries", "title": "Director of Library Services"},
    "seller_signatory": {"name": "Tom Okafor", "title": "Head of Licensing"},
}
SELLER_COMPANY_NUMBER = "01234567"
SELLER_VAT_NUMBER = "GB980780684"
CUSTOMER_VAT_NUMBER = "NL000099998B57"


def _sample(template: str, **changes: Any) -> dict[str, Any]:
    path = PROJECT_ROOT / "contract_templates" / template / "sample.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return {**data, **changes}


def _create(app: APIFlask, template: str, data: dict[str, Any]) -> dict[str, Any]:
    answer = app.test_client().post(
        "/api/v1/documents",
        json={"template": template, "data": data},
        headers={**bearer(app, "support@example.com"), **WAIT},
    )
    assert answer.status_code == 201, answer.json
    return dict(answer.json)


def _pdf(app: APIFlask, document_id: str, kind: str = "pdf", version: int | None = None) -> bytes:
    query = f"?version={version}" if version else ""
    answer = app.test_client().get(
        f"/api/v1/documents/{document_id}/files/{kind}{query}",
        headers=bearer(app, "support@example.com"),
    )
    assert answer.status_code == 200, answer.json
    return bytes(answer.data)


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return " ".join(" ".join(parts).split())


def _fingerprints(app: APIFlask, document_id: str) -> dict[int, str]:
    """The fingerprint the service recorded for each version it rendered, by version."""
    uow = app.extensions["contractdesk"].unit_of_work()
    with uow:
        events = uow.session.scalars(
            select(AuditEvent).where(AuditEvent.subject_id == str(document_id))
        )
        found = {}
        for event in events:
            if "fingerprint" in event.data:
                found[int(event.data.get("version", 1))] = event.data["fingerprint"]
        return found


def _assert_identified(pages: list[str], reference: str, version: str, language: str) -> str:
    """Every page names the reference, the version, its place and one fingerprint; that
    fingerprint."""
    assert pages
    prints = set()
    for n, text in enumerate(pages, start=1):
        flat = " ".join(text.split())
        where = PAGE[language].format(n=n, m=len(pages))
        assert " ".join(where.split()) in flat, (n, flat[-300:])
        found = re.search(
            re.escape(reference) + r" · " + re.escape(version) + r" · ([0-9a-f]{8})", flat
        )
        assert found, (n, flat[-300:])
        prints.add(found.group(1))
    assert len(prints) == 1, prints
    return prints.pop()


def _drafted(pages: list[str], language: str) -> bool:
    return all(DRAFT[language] in page for page in pages)


@pytest.mark.parametrize(
    ("template", "language"),
    [
        ("quote", "en"),
        ("quote", "nl"),
        ("licence-agreement", "en"),
        ("licence-agreement", "nl"),
        ("licence-agreement", "zh"),
        ("amendment", "en"),
        ("amendment", "nl"),
        ("title-list", "en"),
        ("title-list", "nl"),
    ],
)
def test_every_page_of_each_kind_names_document_version_page_and_fingerprint(
    app: APIFlask, template: str, language: str
) -> None:
    currency = "CNY" if language == "zh" else "EUR"
    created = _create(
        app, template, _sample(template, language=language, currency=currency, **SIGNATORIES)
    )
    assert created["status"] == "draft"  # the sample needs no approval: no DRAFT mark
    pages = _pages(_pdf(app, created["id"]))
    fingerprint = _assert_identified(pages, created["number"], "v1", language)
    assert _fingerprints(app, created["id"])[1].startswith(fingerprint)
    assert not any(DRAFT[language] in page for page in pages)

    texts = [" ".join("\n".join(pages).split())]
    if template != "title-list":
        texts.append(docx_text(_pdf(app, created["id"], "docx")))
    for text in texts:
        assert SELLER_COMPANY_NUMBER in text and SELLER_VAT_NUMBER in text
        assert CUSTOMER_VAT_NUMBER in text
        if template in {"licence-agreement", "amendment"}:
            for signatory in SIGNATORIES.values():
                assert signatory["name"] in text and signatory["title"] in text
        if template == "quote":
            customer = SIGNATORIES["customer_signatory"]
            assert customer["name"] in text and customer["title"] in text


def test_two_versions_carry_different_identifiers(app: APIFlask) -> None:
    created = _create(app, "quote", _sample("quote"))
    regenerated = app.test_client().post(
        f"/api/v1/documents/{created['id']}/regenerate",
        headers={**bearer(app, "support@example.com"), **WAIT},
    )
    assert regenerated.status_code in {200, 201, 202}, regenerated.json
    first = _assert_identified(
        _pages(_pdf(app, created["id"], version=1)), created["number"], "v1", "en"
    )
    second = _assert_identified(
        _pages(_pdf(app, created["id"], version=2)), created["number"], "v2", "en"
    )
    assert first != second
    recorded = _fingerprints(app, created["id"])
    assert recorded[1][:8] == first and recorded[2][:8] == second


@pytest.mark.parametrize("language", ["en", "nl"])
def test_a_quote_waiting_for_approval_is_a_draft_on_every_page_until_approved(
    app: APIFlask, language: str
) -> None:
    body = quote_request(account_id(app.extensions["contractdesk"], "University"))
    body["data"]["language"] = language
    created = _create(app, "quote", body["data"])
    assert created["status"] == "pending_approval"
    draft = _pages(_pdf(app, created["id"]))
    assert len(draft) >= 1 and _drafted(draft, language)
    _assert_identified(draft, created["number"], "v1", language)

    approved = app.test_client().post(
        f"/api/v1/documents/{created['id']}/approvals",
        json={"decision": "approve", "comment": "fine"},
        headers=bearer(app, "manager@example.com"),
    )
    assert approved.status_code in {200, 201}, approved.json
    document = (
        app.test_client()
        .get(f"/api/v1/documents/{created['id']}", headers=bearer(app, "support@example.com"))
        .json
    )
    assert document["status"] == "approved"
    final = _pages(_pdf(app, created["id"]))  # the newest version: what is sent to sign
    assert not any(DRAFT[language] in page for page in final)
    _assert_identified(final, created["number"], "v2", language)
    assert _drafted(_pages(_pdf(app, created["id"], version=1)), language)  # kept as it was
    # both render again byte for byte: the draft with its mark, although approved since
    runtime = app.extensions["contractdesk"]
    for version in (1, 2):
        again = verify_version(runtime.unit_of_work(), uuid.UUID(created["id"]), version)
        assert again.identical, again


def test_a_chinese_licence_waiting_for_legal_is_marked_in_chinese(app: APIFlask) -> None:
    data = _sample(
        "licence-agreement",
        language="zh",
        currency="CNY",
        clause_positions={"limitation-of-liability": "fallback-1"},
    )
    created = _create(app, "licence-agreement", data)
    assert created["status"] == "pending_approval", created
    pages = _pages(_pdf(app, created["id"]))
    assert _drafted(pages, "zh")
    assert not any("DRAFT" in page for page in pages)
    _assert_identified(pages, created["number"], "v1", "zh")


def _confirmation(app: APIFlask, document_id: str) -> bytes:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        answer = app.test_client().get(
            f"/api/v1/documents/{document_id}/files/confirmation",
            headers=bearer(app, "support@example.com"),
        )
        if answer.status_code == 200:
            return bytes(answer.data)
        time.sleep(0.2)
    raise AssertionError("no order confirmation was stored")


def test_order_confirmation_and_licence_as_amended_are_identified(app: APIFlask) -> None:
    quote = _create(app, "quote", _sample("quote"))
    send_and_sign(app, quote["id"])
    _assert_identified(_pages(_confirmation(app, quote["id"])), quote["number"], "v1", "en")

    data = _sample("licence-agreement", **SIGNATORIES)
    data["account"] = account_id(app.extensions["contractdesk"], "Consortium")
    licence = _create(app, "licence-agreement", data)
    send_and_sign(app, licence["id"])
    answer = app.test_client().get(
        f"/api/v1/documents/{licence['id']}/as-amended.pdf",
        headers=bearer(app, "support@example.com"),
    )
    assert answer.status_code == 200
    _assert_identified(_pages(answer.data), licence["number"], "as amended (0)", "en")


def test_the_stamp_of_a_signed_copy_says_so_in_the_documents_language() -> None:
    assert (
        signed_page_stamp("L-2027-000001", 3, 2, 7, language="en")
        == "Signed version — L-2027-000001 v3 — page 2 of 7"
    )
    assert signed_page_stamp("L-2027-000001", 3, 2, 7, language="nl").startswith(
        "Ondertekende versie — L-2027-000001 v3 — pagina 2 van 7"
    )
    assert signed_page_stamp("L-2027-000001", 3, 2, 7, language="zh").endswith("第 2 页，共 7 页")


def test_the_marks_come_after_the_templates_own_styles() -> None:
    marks = PageMarks("Q-1", 1, "ab" * 32, "en", draft=True)
    html = with_marks("<html><head><style>@page{}</style></head><body></body></html>", marks)
    assert html.index("@page{}") < html.index("Q-1 · v1 · abababab") < html.index("</head>")
