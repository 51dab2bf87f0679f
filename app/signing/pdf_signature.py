"""The built-in signer's PAdES signature, and checking it.

The service signs with its own certificate (made by `contractdesk init` when none is
configured): the signature proves the PDF has not changed since the service sealed it.
The audit certificate (certificate_page) records who signed, when and from where; the
signature blocks (signature_blocks) show each signer on the contract page.
"""

from __future__ import annotations

import asyncio
import functools
import io
import os
from collections.abc import Callable, Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.keys import load_certs_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko.stamp import BaseStampStyle
from pyhanko_certvalidator import ValidationContext

FIELD_NAME = "ContractDeskSignature"


@dataclass(frozen=True)
class SignatureCheck:
    valid: bool
    intact: bool
    trusted: bool
    signer_common_name: str
    covers_whole_document: bool


def ensure_service_certificate(cert_path: Path, key_path: Path, *, common_name: str) -> bool:
    """Make a self-signed signing certificate and key when either is missing."""
    if cert_path.exists() and key_path.exists():
        return False
    cert_path.parent.mkdir(parents=True, exist_ok=True)
    key_path.parent.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, common_name),
        ]
    )
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    descriptor = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return True


@dataclass(frozen=True)
class VisibleField:
    """Where a visible signature goes and what it shows (see signature_blocks)."""

    spec: fields.SigFieldSpec
    appearance: BaseStampStyle


def sign_pdf(
    pdf: bytes,
    *,
    cert_path: Path,
    key_path: Path,
    reason: str,
    location: str = "",
    visible: VisibleField | None = None,
    chain: Sequence[Path] = (),
    timestamper: TimeStamper | None = None,
    validation_context: ValidationContext | None = None,
) -> bytes:
    """Seal the PDF with a PAdES signature of the service's certificate: invisible, or in
    the visible field given.

    With a timestamper the signature gets an RFC 3161 signature timestamp; with a
    validation context too, the certificates and revocation answers go into the DSS and a
    document timestamp closes the file (PAdES B-LTA, see long_term.py)."""
    signer = signers.SimpleSigner.load(
        str(key_path),
        str(cert_path),
        ca_chain_files=tuple(str(p) for p in chain) or None,
        key_passphrase=None,
    )
    assert signer is not None, f"cannot load the signing key {key_path}"
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    long_term = validation_context is not None and timestamper is not None
    metadata = signers.PdfSignatureMetadata(
        field_name=visible.spec.sig_field_name if visible else FIELD_NAME,
        reason=reason,
        location=location or None,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        embed_validation_info=long_term,
        use_pades_lta=long_term,
        validation_context=validation_context,
    )
    pdf_signer = signers.PdfSigner(
        metadata,
        signer,
        timestamper=timestamper,
        new_field_spec=visible.spec if visible else None,
        stamp_style=visible.appearance if visible else None,
    )
    out = _run(lambda: pdf_signer.async_sign_pdf(writer))
    return out.getvalue()


T = TypeVar("T")


def _run(coroutine: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """pyHanko's work is asynchronous; its synchronous wrappers call asyncio.run, which
    fails inside a thread whose event loop is running (an async server, a browser driver).
    Run it in this thread when there is no loop, else in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine())
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(coroutine())).result()


def verify_pdf_signature(pdf: bytes, *, trust_cert_path: Path) -> SignatureCheck:
    """Validate the embedded signatures (not the document timestamps) with the certificates
    in the given file as the only trust roots."""
    context = ValidationContext(
        trust_roots=list(load_certs_from_pemder([str(trust_cert_path)])),
        allow_fetching=False,
        revocation_mode="soft-fail",
    )
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    signatures = [s for s in reader.embedded_signatures if s.sig_object_type == "/Sig"]
    if not signatures:
        return SignatureCheck(False, False, False, "", False)
    results = []
    for embedded in signatures:
        try:
            status = _run(functools.partial(async_validate_pdf_signature, embedded, context))
        except Exception:  # a mangled signature is an invalid one, whatever pyHanko raises
            return SignatureCheck(False, False, False, "", False)
        results.append(status)
    last = results[-1]
    return SignatureCheck(
        valid=all(s.bottom_line for s in results),
        intact=all(s.intact for s in results),
        trusted=all(s.trusted for s in results),
        signer_common_name=last.signing_cert.subject.native.get("common_name", ""),
        covers_whole_document=last.coverage == SignatureCoverageLevel.ENTIRE_FILE
        or last.modification_level == ModificationLevel.LTA_UPDATES,
    )
