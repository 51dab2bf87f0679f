"""The built-in signer's PAdES seal, and what breaks the seal."""

from __future__ import annotations

import io
import stat
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from weasyprint import HTML

from app.signing.pdf_signature import (
    ensure_service_certificate,
    sign_pdf,
    verify_pdf_signature,
)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("cert")
    cert, key = folder / "cert.pem", folder / "key.pem"
    assert ensure_service_certificate(cert, key, common_name="Test Publisher")
    return cert, key


def _document() -> bytes:
    pdf = HTML(string="<h1>Quote Q-2026-000001</h1><p>Total €10.00</p>").write_pdf()
    assert pdf is not None
    return pdf


def test_certificate_is_made_once_with_a_private_key_file(tmp_path: Path) -> None:
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    assert ensure_service_certificate(cert, key, common_name="P") is True
    assert ensure_service_certificate(cert, key, common_name="P") is False
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_a_sealed_pdf_validates_against_the_service_certificate(
    certificate: tuple[Path, Path],
) -> None:
    cert, key = certificate
    signed = sign_pdf(_document(), cert_path=cert, key_path=key, reason="Signed Q-1")
    check = verify_pdf_signature(signed, trust_cert_path=cert)
    assert check.valid and check.intact and check.trusted and check.covers_whole_document
    assert check.signer_common_name == "Test Publisher"
    assert "Total €10.00" in PdfReader(io.BytesIO(signed)).pages[0].extract_text()


def test_changing_a_signed_pdf_breaks_the_seal(certificate: tuple[Path, Path]) -> None:
    cert, key = certificate
    signed = bytearray(sign_pdf(_document(), cert_path=cert, key_path=key, reason="r"))
    position = signed.index(b"/MediaBox")
    signed[position + 12] = ord("9") if signed[position + 12] != ord("9") else ord("8")
    check = verify_pdf_signature(bytes(signed), trust_cert_path=cert)
    assert not check.valid


def test_an_appended_page_after_signing_is_not_covered(certificate: tuple[Path, Path]) -> None:
    cert, key = certificate
    signed = sign_pdf(_document(), cert_path=cert, key_path=key, reason="r")
    writer = PdfWriter(io.BytesIO(signed), incremental=True)
    writer.add_blank_page(200, 200)
    out = io.BytesIO()
    writer.write(out)
    assert not verify_pdf_signature(out.getvalue(), trust_cert_path=cert).covers_whole_document


def test_another_certificate_is_not_trusted(certificate: tuple[Path, Path], tmp_path: Path) -> None:
    cert, key = certificate
    other_cert, other_key = tmp_path / "o.pem", tmp_path / "ok.pem"
    ensure_service_certificate(other_cert, other_key, common_name="Someone Else")
    signed = sign_pdf(_document(), cert_path=cert, key_path=key, reason="r")
    check = verify_pdf_signature(signed, trust_cert_path=other_cert)
    assert check.intact and not check.trusted and not check.valid


def test_an_unsigned_pdf_is_not_valid(certificate: tuple[Path, Path]) -> None:
    assert not verify_pdf_signature(_document(), trust_cert_path=certificate[0]).valid
