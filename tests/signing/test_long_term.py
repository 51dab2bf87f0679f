"""PAdES B-LTA against a real TSA and OCSP responder (certomancer), checked as a relying
party would: trusting the test CA root only, revocation required, nothing fetched."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from asn1crypto import pem, x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESPassed
from pyhanko.sign.signers.pdf_signer import PdfTimeStamper
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.ades import ades_lta_validation
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.policy_decl import (
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko_certvalidator.authority import AuthorityWithCert
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.policy_decl import REQUIRE_REVINFO, CertRevTrustPolicy
from pyhanko_certvalidator.registry import SimpleTrustManager
from pypdf import PdfReader, PdfWriter
from reportlab.pdfgen import canvas

from app.config import Settings
from app.outbound import guard_for
from app.signing.local_ca import LOCAL_TSA_NAME, ensure_local_pki, trust_roots
from app.signing.long_term import LTA, Sealing, SealingUnavailable, check, extend, seal
from app.signing.pdf_signature import sign_pdf
from app.signing.timestamps import GuardedFetcherBackend
from tests.support.pki_services import PkiServices


def _pdf(text: str = "Licence LIC-1: the Licensee may read everything.") -> bytes:
    out = io.BytesIO()
    page = canvas.Canvas(out, pageCompression=0)
    page.drawString(72, 720, text)
    page.save()
    return out.getvalue()


@pytest.fixture
def pki(tmp_path: Path) -> Iterator[PkiServices]:
    services = PkiServices(tmp_path / "pki").start()
    yield services
    services.stop()


def _sealing(instance_dir: Path, tsa_url: str | None, allow: str = "127.0.0.1/32") -> Sealing:
    return Sealing(
        instance_dir=instance_dir,
        tsa_url=tsa_url,
        guard=guard_for(Settings(outbound_allow=allow)),
        organisation="Test Publisher",
    )


def _relying_party_roots(pki: PkiServices) -> list[x509.Certificate]:
    return [x509.Certificate.load(pem.unarmor(pki.cert_pem("root"))[2])]


def _pyhanko_b_lta(pdf: bytes, pki: PkiServices) -> object:
    """pyHanko's AdES B-LTA validation: the test root trusted, revocation status required
    for every certificate, only the document's own validation data."""
    spec = PdfSignatureValidationSpec(
        SignatureValidationSpec(
            cert_validation_policy=CertValidationPolicySpec(
                trust_manager=SimpleTrustManager.build(trust_roots=_relying_party_roots(pki)),
                revinfo_policy=CertRevTrustPolicy(REQUIRE_REVINFO),
            ),
            revinfo_gathering_policy=RevocationInfoGatheringSpec(
                online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY
            ),
        )
    )
    signature = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0]
    return asyncio.run(ades_lta_validation(signature, spec)).ades_subindic


def test_sealed_pdf_is_b_lta_for_a_relying_party(pki: PkiServices, tmp_path: Path) -> None:
    pki.install_signer(tmp_path / "instance")
    signed = seal(_pdf(), _sealing(tmp_path / "instance", pki.tsa_url), reason="Signed LIC-1")

    result = check(signed, _relying_party_roots(pki))
    assert result.valid, result.reasons
    assert result.level == LTA
    assert result.signer == "Test Publisher"
    assert result.document_timestamps == 1
    reader = PdfFileReader(io.BytesIO(signed))
    dss = DocumentSecurityStore.read_dss(reader)
    assert dss.ocsps, "the signer's OCSP answer is in the DSS"
    kinds = [s.sig_object_type for s in reader.embedded_signatures]
    assert kinds == ["/Sig", "/DocTimeStamp"]
    tsa = reader.embedded_signatures[1].signer_cert.subject.native["common_name"]
    assert tsa == "Test Timestamping Authority"
    assert "Licence LIC-1" in PdfReader(io.BytesIO(signed)).pages[0].extract_text()

    # pyHanko by itself, as a relying party: the root trusted, revocation hard-fail, only
    # the DSS's data, nothing fetched; then its AdES B-LTA validation, revocation required
    context = dss.as_validation_context(
        {
            "trust_roots": _relying_party_roots(pki),
            "allow_fetching": False,
            "revocation_mode": "hard-fail",
        }
    )
    status = validate_pdf_signature(reader.embedded_signatures[0], context)
    assert status.bottom_line and not status.revoked
    assert status.timestamp_validity is not None and status.timestamp_validity.trusted
    assert _pyhanko_b_lta(signed, pki) == AdESPassed.OK


def test_extend_adds_a_document_timestamp_and_stays_valid(pki: PkiServices, tmp_path: Path) -> None:
    pki.install_signer(tmp_path / "instance")
    sealing = _sealing(tmp_path / "instance", pki.tsa_url)
    signed = seal(_pdf(), sealing, reason="r")
    extended = extend(signed, sealing)

    assert extended.startswith(signed), "an incremental update: the signed bytes stay"
    result = check(extended, _relying_party_roots(pki))
    assert result.valid, result.reasons
    assert result.level == LTA
    assert result.document_timestamps == 2
    assert _pyhanko_b_lta(extended, pki) == AdESPassed.OK
    reader = PdfFileReader(io.BytesIO(extended))
    assert [s.sig_object_type for s in reader.embedded_signatures] == [
        "/Sig",
        "/DocTimeStamp",
        "/DocTimeStamp",
    ]


def test_changed_copy_fails_with_the_reason(pki: PkiServices, tmp_path: Path) -> None:
    pki.install_signer(tmp_path / "instance")
    signed = seal(_pdf(), _sealing(tmp_path / "instance", pki.tsa_url), reason="r")
    tampered = signed.replace(b"read everything", b"copy everything")
    assert tampered != signed

    result = check(tampered, _relying_party_roots(pki))
    assert not result.valid
    assert result.reasons[0] == "the document was changed after signing"

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(signed)))
    writer.add_blank_page(width=595, height=842)
    appended = io.BytesIO()
    writer.write(appended)
    assert check(appended.getvalue(), _relying_party_roots(pki)).reasons[0] == (
        "the document was changed after signing"
    )


def test_revoked_signing_certificate_is_refused(pki: PkiServices, tmp_path: Path) -> None:
    pki.install_signer(tmp_path / "instance", "revoked")
    with pytest.raises(SealingUnavailable):
        seal(_pdf(), _sealing(tmp_path / "instance", pki.tsa_url), reason="r")


def test_tsa_down_raises_a_retryable_error(pki: PkiServices, tmp_path: Path) -> None:
    pki.install_signer(tmp_path / "instance")
    pki.tsa.stop()
    with pytest.raises(SealingUnavailable, match="TSA cannot be reached"):
        seal(_pdf(), _sealing(tmp_path / "instance", pki.tsa_url), reason="r")


def test_ocsp_down_raises_a_retryable_error(pki: PkiServices, tmp_path: Path) -> None:
    """The TSA answers, the OCSP responder and the CRL do not: hard-fail, nothing signed."""
    pki.install_signer(tmp_path / "instance")
    pki.revocation.stop()
    with pytest.raises(SealingUnavailable, match="could not be sealed now"):
        seal(_pdf(), _sealing(tmp_path / "instance", pki.tsa_url), reason="r")


def test_tsa_and_ocsp_pass_the_outbound_guard(pki: PkiServices, tmp_path: Path) -> None:
    """Loopback is not on the allow-list: the OCSP request is refused, nothing is signed."""
    pki.install_signer(tmp_path / "instance")
    with pytest.raises(SealingUnavailable):
        seal(_pdf(), _sealing(tmp_path / "instance", pki.tsa_url, allow=""), reason="r")


def test_local_timestamping_key_names_itself(tmp_path: Path) -> None:
    ensure_local_pki(tmp_path, organisation="Test Publisher")
    signed = seal(_pdf(), _sealing(tmp_path, None), reason="r")
    reader = PdfFileReader(io.BytesIO(signed))
    stamp = reader.embedded_signatures[-1]
    assert stamp.sig_object_type == "/DocTimeStamp"
    assert stamp.signer_cert.subject.native["common_name"] == LOCAL_TSA_NAME
    result = check(signed, _local_roots(tmp_path))
    assert result.valid, result.reasons
    assert result.level == LTA
    assert check(extend(signed, _sealing(tmp_path, None)), _local_roots(tmp_path)).valid


def _local_roots(instance_dir: Path) -> list[x509.Certificate]:
    return [
        x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))
        for c in trust_roots(instance_dir)
    ]


def test_revoked_certificate_is_named_as_the_reason(pki: PkiServices, tmp_path: Path) -> None:
    """A copy signed elsewhere with a revoked certificate, the OCSP answer saying so in its
    DSS, closed by a document timestamp."""
    paths = tmp_path / "instance"
    pki.install_signer(paths, "revoked")
    sealing = _sealing(paths, pki.tsa_url)
    signed = sign_pdf(
        _pdf(),
        cert_path=paths / "signing-cert.pem",
        key_path=paths / "signing-key.pem",
        reason="r",
        timestamper=sealing.timestamper(),
    )
    cert, tsa, root = (
        x509.Certificate.load(pem.unarmor(pki.cert_pem(label))[2])
        for label in ("revoked", "tsa", "root")
    )
    fetchers = GuardedFetcherBackend(sealing.guard).get_fetchers()
    answers = [
        asyncio.run(fetchers.ocsp_fetcher.fetch(c, AuthorityWithCert(root))) for c in (cert, tsa)
    ]
    out = io.BytesIO(signed)
    contents = PdfFileReader(out).embedded_signatures[0].pkcs7_content
    DocumentSecurityStore.add_dss(out, contents, certs=[cert, tsa, root], ocsps=answers)
    writer = IncrementalPdfFileWriter(out)
    stamped = PdfTimeStamper(sealing.timestamper()).timestamp_pdf(writer, md_algorithm="sha256")

    result = check(stamped.getvalue(), _relying_party_roots(pki))
    assert not result.valid
    assert result.reasons[0] == "certificate revoked"


def test_a_plain_signature_lacks_what_b_lta_needs(pki: PkiServices, tmp_path: Path) -> None:
    paths = tmp_path / "instance"
    pki.install_signer(paths)
    plain = sign_pdf(
        _pdf(), cert_path=paths / "signing-cert.pem", key_path=paths / "signing-key.pem", reason="r"
    )
    result = check(plain, _relying_party_roots(pki))
    assert not result.valid
    assert {
        "signature timestamp missing",
        "validation data (DSS) missing",
        "document timestamp missing",
    } <= set(result.reasons)
    assert check(_pdf(), _relying_party_roots(pki)).reasons == ["the document carries no signature"]
