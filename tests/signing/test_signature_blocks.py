"""Signed licences as a legal team reads them: each signature block on the contract page
filled with the signer's name, position and date of signing, a visible signature in the
block, the shown bytes unchanged at the start of the signed copy, and the audit certificate
in the document's language."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import datetime
from typing import Any

import pytest
from apiflask import APIFlask
from pyhanko.pdf_utils.reader import PdfFileReader
from pypdf import PdfReader

from app.config import PROJECT_ROOT
from app.rendering.page_marks import signed_page_stamp
from app.signing.archive import verify_file
from app.signing.long_term import LTA
from app.signing.pdf_signature import verify_pdf_signature
from app.signing.signature_blocks import field_name, find_blocks
from tests.conftest import WAIT, account_id, bearer
from tests.support.flows import sign_as
from tests.support.pdfa import assert_pdfa

SIGNERS = {
    "en": [("Helen Marsh", "Director of Library Services"), ("Pat Publisher", "Sales Director")],
    "nl": [("Anne de Vries", "Directeur Universiteitsbibliotheek"), ("Pat Publisher", "Directeur")],
    "zh": [("王芳", "图书馆馆长"), ("Pat Publisher", "销售总监")],
}
CERTIFICATE = {
    "en": (
        "Audit certificate",
        "Licence agreement",
        "What the signature covers",
        "I agree to sign this document",
    ),
    "nl": (
        "Auditcertificaat",
        "Licentieovereenkomst",
        "Wat de handtekening dekt",
        "Ik ga ermee akkoord dit document",
    ),
    "zh": ("审计证书", "许可协议", "签名涵盖的内容", "我同意以电子方式签署本文件"),
}


def _flat(text: str) -> str:
    return "".join(text.split())


def licence(app: APIFlask, **changes: Any) -> tuple[str, bytes]:
    """The shipped sample licence created through the API: its id and the PDF shown."""
    data = json.loads(
        (PROJECT_ROOT / "contract_templates/licence-agreement/sample.json").read_text()
    )
    data["account"] = account_id(app.extensions["contractdesk"], "Consortium")
    data.update(changes)
    client = app.test_client()
    support = bearer(app, "support@example.com")
    created = client.post(
        "/api/v1/documents",
        json={"template": "licence-agreement", "data": data},
        headers={**support, **WAIT},
    )
    assert created.status_code == 201, created.json
    document_id = created.json["id"]
    pdf = client.get(f"/api/v1/documents/{document_id}/files/pdf", headers=support).data
    return document_id, pdf


def _sign_licence(app: APIFlask, language: str) -> tuple[bytes, bytes, dict[str, Any]]:
    """A licence in the language sent to the customer's and the publisher's signatory,
    who both sign: the PDF shown, the signed copy and the document as the API reports it."""
    document_id, shown = licence(app, language=language)
    client = app.test_client()
    support = bearer(app, "support@example.com")
    signers = SIGNERS[language]
    sent = client.post(
        f"/api/v1/documents/{document_id}/send",
        json={
            "signers": [
                {"name": name, "title": title, "email": f"s{n}@example.org", "routing_order": n}
                for n, (name, title) in enumerate(signers, start=1)
            ]
        },
        headers=support,
    )
    assert sent.status_code == 200, sent.json
    for (name, _), signer in zip(signers, sent.json["signers"], strict=True):
        assert signer["title"]
        assert sign_as(client, signer["signing_url"], name).status_code == 200
    app.extensions["contractdesk"].jobs.wait_idle()
    signed = client.get(f"/api/v1/documents/{document_id}/files/signed", headers=support)
    assert signed.status_code == 200
    document = client.get(f"/api/v1/documents/{document_id}", headers=support).json
    return shown, signed.data, document


@pytest.mark.parametrize("language", ["en", "nl", "zh"])
def test_a_signed_licence_shows_each_signer_in_their_block_and_a_certificate_in_its_language(
    app: APIFlask, language: str
) -> None:
    shown, signed, document = _sign_licence(app, language)
    signers = document["signers"]

    # the signed copy is the shown bytes, unchanged, with the update after them
    assert signed[: len(shown)] == shown
    reader = PdfReader(io.BytesIO(signed))
    assert reader.metadata is not None and reader.metadata.title
    assert reader.metadata.title == PdfReader(io.BytesIO(shown)).metadata.title  # type: ignore[union-attr]
    assert reader.trailer["/Root"]["/Lang"] == language
    assert_pdfa(shown, conformance="A")  # tagged as shown
    # kept through signing (XMP identification, output intent, fonts), as level B: what
    # signing adds (certificate, filled lines, the signed-version line) is not tagged
    assert_pdfa(signed, conformance="B")
    # every page, the certificate's too, says it belongs to the signed version
    for page_number, page in enumerate(reader.pages, start=1):
        stamp = signed_page_stamp(
            document["number"],
            document["version"],
            page_number,
            len(reader.pages),
            language=language,
        )
        assert _flat(stamp) in _flat(page.extract_text()), f"page {page_number}"

    places = find_blocks(shown)
    assert sorted(places) == [1, 2]
    for number, signer in enumerate(signers, start=1):
        place = places[number]
        text = reader.pages[place.page].extract_text()
        signed_at = datetime.fromisoformat(signer["signed_at"].replace("Z", "+00:00"))
        for fact in (signer["name"], signer["title"], signed_at.strftime("%Y-%m-%d %H:%M UTC")):
            assert fact in text, f"block {number} lacks {fact!r}"

    # the certificate, in the document's language, after the document's own pages
    certificate = _flat(
        "".join(p.extract_text() for p in reader.pages[len(PdfReader(io.BytesIO(shown)).pages) :])
    )
    heading, title, covers, consent = CERTIFICATE[language]
    facts = (heading, title, covers, consent, hashlib.sha256(shown).hexdigest(), str(len(shown)))
    for fact in facts:
        assert _flat(fact) in certificate
    for signer in signers:
        for fact in (signer["name"], signer["title"], signer["email"], "127.0.0.1"):
            assert _flat(fact) in certificate
    assert "TestBrowser/1.0" in certificate
    if language != "en":
        assert "Audit certificate" not in certificate and "Signers" not in certificate

    # pyHanko finds each signer's visible signature inside their block, on its page
    hanko = PdfFileReader(io.BytesIO(signed), strict=False)
    fields = {s.field_name: s for s in hanko.embedded_signatures}
    for number, place in places.items():
        field = fields[field_name(number)].sig_field
        left, bottom, right, top = (float(v) for v in field["/Rect"])
        x0, y0, x1, y1 = place.box
        assert x0 - 1 <= left < right <= x1 + 1 and y0 - 1 <= bottom < top <= y1 + 1
        page = hanko.root["/Pages"]["/Kids"][place.page].get_object()
        assert any(a.get_object() is field or a.get_object() == field for a in page["/Annots"])
    if language != "en":
        return  # what a relying party checks does not depend on the language; once is enough
    check = verify_pdf_signature(
        signed, trust_cert_path=app.extensions["contractdesk"].settings.signing_root_path
    )
    assert check.valid and check.covers_whole_document
    # every signer's signature stands as PAdES B-LTA, as `contractdesk signatures verify` says
    runtime = app.extensions["contractdesk"]
    long_term = verify_file(runtime.unit_of_work(), signed)
    assert long_term.valid, long_term.reasons
    assert long_term.level == LTA
    tampered = bytearray(signed)
    tampered[len(shown) // 2] ^= 0x01  # one bit of the contract as shown
    assert not verify_file(runtime.unit_of_work(), bytes(tampered)).valid


def _pages_with(pdf: bytes, text: str) -> list[int]:
    return [
        i for i, page in enumerate(PdfReader(io.BytesIO(pdf)).pages) if text in page.extract_text()
    ]


def test_the_signature_block_never_stands_alone_on_a_page(app: APIFlask) -> None:
    """Add licensed sites (a line each, before the signatures) until the blocks cannot stay
    on their page: the page with the blocks still carries the last clause, and the page
    before it no longer does."""
    last_clause = "remaining provisions continue in force"  # the last clause, Entire agreement
    _, pdf = licence(app)
    before = find_blocks(pdf)[1]
    assert before.page in _pages_with(pdf, last_clause)
    room = before.box[1] - 20 * 72 / 25.4  # above the bottom margin, in points
    count = 2 + int(room / 12)
    while True:
        _, longer = licence(app, sites=[{"name": f"Branch library {n}"} for n in range(count)])
        after = find_blocks(longer)[1]
        if after.page != before.page or count > 400:
            break
        count += 20
    assert after.page == before.page + 1
    assert _pages_with(longer, last_clause) == [after.page]
