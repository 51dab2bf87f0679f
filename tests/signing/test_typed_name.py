"""The built-in signer's typed name must be the signer's name (case, spacing and accents
aside), else the signature is refused and nothing is signed; the certificate shows what
was typed."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

from apiflask import APIFlask
from pypdf import PdfReader
from sqlalchemy import select

from app.audit.models import AuditEvent
from tests.conftest import WAIT, bearer
from tests.support.flows import plain_quote_request, sign_as


def _sent_to(app: APIFlask, name: str) -> tuple[str, str]:
    client = app.test_client()
    support = bearer(app, "support@example.com")
    doc = client.post(
        "/api/v1/documents", json=plain_quote_request(app), headers={**support, **WAIT}
    ).json
    sent = client.post(
        f"/api/v1/documents/{doc['id']}/send",
        json={"signers": [{"name": name, "email": "signer@example.org"}]},
        headers=support,
    ).json
    return doc["id"], urlsplit(sent["signers"][0]["signing_url"]).path


def test_another_name_is_refused_and_nothing_is_signed(app: APIFlask) -> None:
    client = app.test_client()
    document_id, link = _sent_to(app, "Helen Marsh")
    refused = sign_as(client, link, "Mickey Mouse")
    assert refused.status_code == 422
    assert "Type the name this document is sent to, Helen Marsh, to sign" in refused.text
    doc = client.get(
        f"/api/v1/documents/{document_id}", headers=bearer(app, "support@example.com")
    ).json
    assert doc["status"] == "sent" and doc["signers"][0]["status"] != "signed"
    uow = app.extensions["contractdesk"].unit_of_work()
    with uow:
        [event] = uow.session.scalars(
            select(AuditEvent).where(AuditEvent.tag == "document.signature_refused")
        )
        assert event.data["typed"] == "Mickey Mouse"
        assert event.data["rule"] == "signer-name-match"


def test_case_spacing_and_accents_do_not_matter_and_the_certificate_says_what_was_typed(
    app: APIFlask,
) -> None:
    client = app.test_client()
    document_id, link = _sent_to(app, "Zoë  Ångström-Dupré")
    signed = sign_as(client, link, "  zoe angstrom-DUPRE ")
    assert signed.status_code == 200, signed.text
    pdf = client.get(
        f"/api/v1/documents/{document_id}/files/signed",
        headers=bearer(app, "support@example.com"),
    ).data
    page = " ".join(PdfReader(io.BytesIO(pdf)).pages[-1].extract_text().split())
    assert "typed “zoe angstrom-DUPRE”" in page
