"""The signed copy keeps the document as shown, byte for byte and with its metadata, and
adds the audit certificate after it; the certificate escapes what signers typed."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from weasyprint import HTML

from app.signing.certificate_page import Certificate, SignatureEvent
from app.signing.pdf_signature import (
    ensure_service_certificate,
    sign_pdf,
    verify_pdf_signature,
)
from app.signing.signature_blocks import signed_copy


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("cert")
    cert, key = folder / "cert.pem", folder / "key.pem"
    assert ensure_service_certificate(cert, key, common_name="Test Publisher")
    return cert, key


def _shown() -> bytes:
    """A document as the renderer makes it: a title, a language and XMP metadata."""
    pdf = HTML(
        string='<html lang="nl"><head><title>Offerte Q-2026-000001</title></head>'
        "<body><h1>Offerte Q-2026-000001</h1><p>Totaal €10,00</p></body></html>"
    ).write_pdf(pdf_variant="pdf/a-3b")
    assert pdf is not None
    return pdf


def _signed(shown: bytes, certificate: tuple[Path, Path], name: str) -> bytes:
    signer = SignatureEvent(
        name=name,
        title="Bibliothecaris",
        email="h.marsh@example.ac.uk",
        signed_at=datetime(2026, 11, 24, 10, 31, 2, tzinfo=UTC),
        ip_address="192.0.2.7",
        user_agent="Mozilla/5.0 TestBrowser/1.0",
        typed_name=name,
    )
    return signed_copy(
        shown,
        Certificate(
            document_number="Q-2026-000001",
            document_title="Offerte",
            shown_sha256=hashlib.sha256(shown).hexdigest(),
            shown_size=len(shown),
            signers=[signer],
            seller_name="Test Publisher",
            language="nl",
        ),
        sign=lambda pdf, *, visible, close: sign_pdf(
            pdf,
            cert_path=certificate[0],
            key_path=certificate[1],
            reason="Q-2026-000001 ondertekend",
            visible=visible,
        ),
    )


def test_the_signed_copy_starts_with_the_shown_bytes_and_keeps_their_metadata(
    certificate: tuple[Path, Path],
) -> None:
    shown = _shown()
    signed = _signed(shown, certificate, "Helen Marsh")
    assert signed[: len(shown)] == shown
    before, after = PdfReader(io.BytesIO(shown)), PdfReader(io.BytesIO(signed))
    assert after.metadata is not None and after.metadata.title == "Offerte Q-2026-000001"
    assert after.trailer["/Root"]["/Lang"] == "nl"
    # pyHanko adds its producer and modification date to the XMP and keeps the rest
    assert after.xmp_metadata is not None
    assert after.xmp_metadata.dc_title == {"x-default": "Offerte Q-2026-000001"}
    xmp = after.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b'pdfaid:part="3"' in xmp and b'pdfaid:conformance="B"' in xmp
    assert len(after.pages) == len(before.pages) + 1
    assert "Totaal €10,00" in after.pages[0].extract_text()
    check = verify_pdf_signature(signed, trust_cert_path=certificate[0])
    assert check.valid and check.covers_whole_document  # no blocks: one invisible seal


def test_the_certificate_shows_what_a_signer_typed_as_text(
    certificate: tuple[Path, Path],
) -> None:
    hostile = '<script>alert(1)</script><img src="file:///etc/passwd">'
    signed = _signed(_shown(), certificate, hostile)
    page = PdfReader(io.BytesIO(signed)).pages[-1].extract_text()
    assert "<script>alert(1)</script>" in page and "root:" not in page
    flat = "".join(page.split())
    for fact in ("Auditcertificaat", "Bibliothecaris", "h.marsh@example.ac.uk", "192.0.2.7"):
        assert fact in flat
    assert "2026-11-2410:31:02UTC" in flat
