"""One-time signing links: a used, expired or unknown link gets a clear page and changes nothing."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import timedelta

from apiflask import APIFlask
from pypdf import PdfReader
from sqlalchemy import update

from app.db import utcnow
from app.signing.models import Signer
from app.signing.pdf_signature import verify_pdf_signature
from tests.conftest import bearer, row_counts
from tests.support.flows import create_and_send, sign_as

EVENT = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC ")


def _sent(app: APIFlask) -> str:
    return create_and_send(app)[1]


def test_an_expired_link_gets_a_clear_page_and_changes_nothing(app: APIFlask) -> None:
    link = _sent(app)
    client = app.test_client()
    client.get(link)
    runtime = app.extensions["contractdesk"]
    with runtime.engine.begin() as connection:  # let the link's 72 hours pass
        connection.execute(update(Signer).values(token_expires_at=utcnow() - timedelta(minutes=1)))
    before = row_counts(runtime)
    page = client.get(link)
    assert page.status_code == 410 and "has expired" in page.text
    answer = client.post(link, data={"typed_name": "Helen Marsh", "consent": "yes"})
    assert answer.status_code == 410
    assert row_counts(runtime) == before


def test_a_used_link_changes_nothing_the_second_time(app: APIFlask) -> None:
    link = _sent(app)
    client = app.test_client()
    assert sign_as(client, "http://localhost" + link, "Helen Marsh").status_code == 200
    app.extensions["contractdesk"].jobs.wait_idle()
    runtime = app.extensions["contractdesk"]
    before = row_counts(runtime)
    page = client.get(link)
    assert page.status_code == 410 and "has been used" in page.text
    assert client.get(link + "/document.pdf").status_code == 410
    assert row_counts(runtime) == before


def test_signing_needs_a_typed_name_and_consent(app: APIFlask) -> None:
    link = _sent(app)
    client = app.test_client()
    runtime = app.extensions["contractdesk"]
    client.get(link)
    before = row_counts(runtime)
    answer = client.post(link, data={"typed_name": "  "})
    assert answer.status_code == 422
    assert "type your full name" in answer.text and "consent" in answer.text
    assert row_counts(runtime) == before


def test_the_signer_can_read_the_document_before_signing(app: APIFlask) -> None:
    link = _sent(app)
    pdf = app.test_client().get(link + "/document.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_a_voided_document_cannot_be_signed_and_goes_back_to_draft(app: APIFlask) -> None:
    client = app.test_client()
    document_id, link = create_and_send(app)
    voided = client.post(
        f"/api/v1/documents/{document_id}/void",
        json={"reason": "Wrong contact at the library"},
        headers=bearer(app, "support@example.com"),
    )
    assert voided.status_code == 200, voided.json
    assert voided.json["status"] == "draft"
    assert "Wrong contact at the library" in voided.json["status_reason"]
    closed = client.get(link.removeprefix("http://localhost"))
    assert closed.status_code == 410
    remind = client.post(
        f"/api/v1/documents/{document_id}/remind", headers=bearer(app, "support@example.com")
    )
    assert remind.status_code == 409


def test_a_reminder_gives_the_signer_whose_turn_it_is_a_fresh_link(app: APIFlask) -> None:
    client = app.test_client()
    support = bearer(app, "support@example.com")
    document_id, old_link = create_and_send(app)
    reminded = client.post(f"/api/v1/documents/{document_id}/remind", headers=support)
    assert reminded.status_code == 200, reminded.json
    fresh = [s["signing_url"] for s in reminded.json["signers"] if s["signing_url"]]
    assert len(fresh) == 1 and fresh[0] != old_link
    assert client.get(old_link.removeprefix("http://localhost")).status_code == 404
    assert sign_as(client, fresh[0], "Helen Marsh").status_code == 200


def test_the_audit_certificate_lists_every_event_and_the_seal_validates(app: APIFlask) -> None:
    client = app.test_client()
    support = bearer(app, "support@example.com")
    document_id, link = create_and_send(app)
    unsigned = client.get(f"/api/v1/documents/{document_id}/files/pdf", headers=support).data
    assert sign_as(client, link, "Helen Marsh").status_code == 200
    signed = client.get(f"/api/v1/documents/{document_id}/files/signed", headers=support).data

    page = PdfReader(io.BytesIO(signed)).pages[-1].extract_text()
    events = [line for line in page.splitlines() if EVENT.match(line)]
    assert [line.split(" UTC ")[1].split(" ")[0] for line in events] == ["Sent", "Opened", "Signed"]
    # the signer's facts say where they signed from; the events where they opened and signed
    assert page.count("127.0.0.1") == 3 and "TestBrowser/1.0" in "".join(page.split())
    assert hashlib.sha256(unsigned).hexdigest() in page.replace("\n", "")
    check = verify_pdf_signature(
        signed, trust_cert_path=app.extensions["contractdesk"].settings.signing_root_path
    )
    assert check.valid and check.covers_whole_document
