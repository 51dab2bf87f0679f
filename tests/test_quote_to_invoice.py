"""The spine, end to end over HTTP: create -> approve -> send -> sign -> invoice.trigger,
on PostgreSQL (the production database) and on SQLite (the embedded default)."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from apiflask import APIFlask
from pypdf import PdfReader
from standardwebhooks import Webhook

from app.billing.tasks import retry_due
from app.config import Settings
from app.migrate import upgrade
from app.runtime import Runtime
from app.signing.pdf_signature import verify_pdf_signature
from tests.conftest import (
    WAIT,
    WebhookReceiver,
    account_id,
    bearer,
    build_app,
    make_settings,
)
from tests.support.flows import quote_request, sign_as

D = Decimal


@pytest.fixture(params=["postgresql", "sqlite"])
def any_db_app(
    request: pytest.FixtureRequest, tmp_path: Path, instance_dir: Path
) -> Iterator[APIFlask]:
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_url")
    else:
        url = f"sqlite:///{tmp_path / 'contractdesk.db'}"
        upgrade(url)
    app = build_app(make_settings(url, tmp_path, instance_dir))
    yield app
    app.extensions["contractdesk"].close()


# GBP list prices of the demo catalogue: JNL-PHYS 15,910; EBK-STM-2026 24,600.
# Lines: 15,910 x 0.85 = 13,523.50; 2 x 24,600 = 49,200.00; 950.00 -> subtotal 63,673.50.
# Header discount 5 % = 3,183.675 -> 3,183.68; net 60,489.82; tax 20 % = 12,097.964 -> 12,097.96.
EXPECTED_TOTALS = {
    "subtotal": "63673.50",
    "discount": "3183.68",
    "net": "60489.82",
    "tax": "12097.96",
    "total": "72587.78",
}


def pdf_text(data: bytes) -> str:
    """The words of every page, with line breaks from wrapping folded into spaces."""
    return " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages
    )


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return " ".join(" ".join(parts).split())


def test_a_quote_goes_from_api_to_signature_to_invoice_trigger(
    any_db_app: APIFlask, webhook_receiver: WebhookReceiver
) -> None:
    app = any_db_app
    runtime: Runtime = app.extensions["contractdesk"]
    client = app.test_client()
    support = bearer(app, "support@example.com")
    manager = bearer(app, "manager@example.com")

    endpoint = client.post(
        "/api/v1/webhook-endpoints",
        json={"url": webhook_receiver.url, "events": ["invoice.trigger"]},
        headers=bearer(app, "finance@example.com"),
    )
    assert endpoint.status_code == 201, endpoint.json
    secret = endpoint.json["secret"]
    assert secret.startswith("whsec_")

    created = client.post(
        "/api/v1/documents",
        json=quote_request(account_id(runtime, "University")),
        headers={**support, **WAIT},
    )
    assert created.status_code == 201, created.json
    doc = created.json
    assert doc["status"] == "pending_approval"
    assert doc["totals"] == EXPECTED_TOTALS
    assert doc["version"] == 1
    assert doc["external_ref"] == "OPP-4711"
    assert [(r["rule"], r["role"]) for r in doc["approvals_required"]] == [("discount", "manager")]
    # line 15 % and header 5 % compound to 19.25 % off list on the first line
    assert doc["approvals_required"][0]["reason"] == "discount 19.25 % on line 1 above 10 %"
    assert created.headers["Location"].endswith(f"/api/v1/documents/{doc['id']}")

    pdf = client.get(doc["files"]["pdf"], headers=support)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    unsigned_sha256 = hashlib.sha256(pdf.data).hexdigest()
    assert pdf.headers["ETag"] == f'"{unsigned_sha256}"'
    for text in (
        pdf_text(pdf.data),
        docx_text(client.get(doc["files"]["docx"], headers=support).data),
    ):
        assert "University of Northfield Library" in text
        for description in (
            "Physics & Astronomy Journals Collection",
            "STM E-book Collection 2026",
            "On-site training day",
        ):
            assert description in text
        for figure in ("£63,673.50", "£3,183.68", "£12,097.96", "£72,587.78", "£13,523.50"):
            assert figure in text
        assert doc["number"] in text

    early = client.post(
        f"/api/v1/documents/{doc['id']}/send",
        json={"signers": [{"name": "Helen Marsh", "email": "h.marsh@example.ac.uk"}]},
        headers=support,
    )
    assert early.status_code == 409
    assert "approval" in early.json["detail"]

    by_creator = client.post(
        f"/api/v1/documents/{doc['id']}/approvals",
        json={"decision": "approve", "comment": "mine"},
        headers=support,
    )
    assert by_creator.status_code == 403

    approved = client.post(
        f"/api/v1/documents/{doc['id']}/approvals",
        json={"decision": "approve", "comment": "Consortium rate agreed for 2027"},
        headers=manager,
    )
    assert approved.status_code == 201, approved.json
    assert approved.json["status"] == "approved"
    [approval] = approved.json["approvals"]
    assert approval["decided_by"] == "manager@example.com"
    assert approval["comment"] == "Consortium rate agreed for 2027"
    # the draft said DRAFT on its pages; the approval rendered v2 without it, to be signed
    assert "DRAFT" in pdf_text(pdf.data)
    approved_pdf = client.get(doc["files"]["pdf"], headers=support)
    assert approved_pdf.headers["Content-Disposition"].endswith('-pdf-v2.pdf"')
    assert "DRAFT" not in pdf_text(approved_pdf.data)
    unsigned_sha256 = hashlib.sha256(approved_pdf.data).hexdigest()

    sent = client.post(
        f"/api/v1/documents/{doc['id']}/send",
        json={
            "signers": [
                {"name": "Helen Marsh", "email": "h.marsh@example.ac.uk", "routing_order": 1},
                {"name": "Chris Publisher", "email": "chris@publisher.example", "routing_order": 2},
            ]
        },
        headers=support,
    )
    assert sent.status_code == 200, sent.json
    assert sent.json["status"] == "sent"
    customer_link, publisher_link = (s["signing_url"] for s in sent.json["signers"])
    assert customer_link != publisher_link

    again = client.post(
        f"/api/v1/documents/{doc['id']}/send",
        json={"signers": [{"name": "X", "email": "x@example.com"}]},
        headers=support,
    )
    assert again.status_code == 409

    out_of_turn = sign_as(client, publisher_link, "Chris Publisher")
    assert out_of_turn.status_code == 409
    assert "waiting for Helen Marsh" in out_of_turn.text

    first = sign_as(client, customer_link, "Helen Marsh")
    assert first.status_code == 200 and "signature is recorded" in first.text
    reused = client.get(customer_link.removeprefix("http://localhost"))
    assert reused.status_code == 410 and "has been used" in reused.text

    second = sign_as(client, publisher_link, "Chris Publisher")
    assert second.status_code == 200
    runtime.jobs.wait_idle()

    final = client.get(f"/api/v1/documents/{doc['id']}", headers=support).json
    assert final["status"] == "signed"
    assert [s["status"] for s in final["signers"]] == ["signed", "signed"]
    signed = client.get(final["files"]["signed"], headers=support)
    assert signed.status_code == 200
    check = verify_pdf_signature(signed.data, trust_cert_path=runtime.settings.signing_root_path)
    assert check.valid and check.intact and check.trusted and check.covers_whole_document
    last_page = PdfReader(io.BytesIO(signed.data)).pages[-1].extract_text()
    for fact in ("Helen Marsh", "Chris Publisher", "127.0.0.1", "TestBrowser/1.0", unsigned_sha256):
        assert fact in last_page

    [hook] = webhook_receiver.received
    payload = Webhook(secret).verify(hook.body, hook.headers)
    assert payload["type"] == "invoice.trigger"
    data = payload["data"]
    assert data["event_id"] == hook.headers["webhook-id"]
    assert data["document_id"] == doc["id"]
    assert data["document_number"] == doc["number"]
    assert data["document_version"] == 2  # the approved copy that was signed
    assert data["currency"] == "GBP"
    assert data["po_number"] == "PO-88-2027"
    assert data["bill_to"]["name"] == "University of Northfield Library"
    assert {k: data[k] for k in EXPECTED_TOTALS} == EXPECTED_TOTALS
    assert [line["amount"] for line in data["lines"]] == ["13523.50", "49200.00", "950.00"]
    assert sum(D(line["net"]) for line in data["lines"]) == D(EXPECTED_TOTALS["net"])

    assert retry_due(runtime) == 0
    assert len(webhook_receiver.received) == 1


def test_creator_cannot_approve_even_as_a_manager(app: APIFlask) -> None:
    client = app.test_client()
    runtime = app.extensions["contractdesk"]
    manager = bearer(app, "manager@example.com")
    created = client.post(
        "/api/v1/documents",
        json=quote_request(account_id(runtime, "University")),
        headers={**manager, **WAIT},
    ).json
    refused = client.post(
        f"/api/v1/documents/{created['id']}/approvals",
        json={"decision": "approve"},
        headers=manager,
    )
    assert refused.status_code == 403
    assert "creator" in refused.json["detail"]
    other = client.post(
        f"/api/v1/documents/{created['id']}/approvals",
        json={"decision": "reject", "comment": "Discount too deep"},
        headers=bearer(app, "manager2@example.com"),
    )
    assert other.status_code == 201
    assert other.json["status"] == "rejected"


def test_a_quote_without_deep_discount_needs_no_approval(app: APIFlask, settings: Settings) -> None:
    client = app.test_client()
    body = quote_request(account_id(app.extensions["contractdesk"], "Consortium"))
    body["data"]["lines"][0]["discount_percent"] = "10"
    body["data"]["discount_percent"] = "0"
    body["data"]["currency"] = "EUR"
    created = client.post(
        "/api/v1/documents", json=body, headers={**bearer(app, "support@example.com"), **WAIT}
    )
    assert created.status_code == 201
    assert created.json["status"] == "draft"
    assert created.json["approvals_required"] == []
