"""The built-in signer's PDF work: the signature page, the PAdES signature, and checking it.

The service signs with its own certificate (made by `contractdesk init` when none is
configured): the signature proves the PDF has not changed since the service sealed it,
and the signature page records who signed, when, from where, and the SHA-256 of the
document exactly as it was sent.
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
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader, PdfWriter
from weasyprint import HTML, URLFetcher
from weasyprint.urls import URLFetcherResponse

from app.assembly.sandbox import compile_template

FIELD_NAME = "ContractDeskSignature"


@dataclass(frozen=True)
class SignatureEvent:
    """One signer's act of signing, as the signature page shows it, with when and from
    where they first opened the document."""

    name: str
    email: str
    signed_at: datetime
    ip_address: str
    user_agent: str
    opened_at: datetime | None = None
    opened_ip: str = ""
    opened_user_agent: str = ""
    typed_name: str = ""
    """What the signer typed as their signature."""


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


class _NoFetching(URLFetcher):
    """The signature page is self-contained: any URL in it is refused."""

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        raise ValueError(f"the signature page fetches nothing ({url})")


_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><style>
@page { size: A4; margin: 22mm 20mm;
  @bottom-left { content: string(doc-number) " · {{ t.footer }}";
    font: 8pt "DejaVu Sans"; color: #666; }
  @bottom-right { content: string(seller); font: 8pt "DejaVu Sans"; color: #666; } }
.doc-number { string-set: doc-number content(); }
.seller { string-set: seller content(); }
body { font-family: "DejaVu Sans", sans-serif; font-size: 10pt; color: #1d2330; }
h1 { font-size: 16pt; margin: 0 0 4mm; }
.meta { color: #444; margin-bottom: 6mm; }
.hash { font-family: "DejaVu Sans Mono", monospace; font-size: 8.5pt; word-break: break-all; }
.signer { border: 0.4pt solid #b9c0cc; border-radius: 2mm; padding: 4mm 5mm; margin: 0 0 5mm;
  page-break-inside: avoid; }
.signer h2 { font-size: 12pt; margin: 0 0 2mm; }
dl { display: grid; grid-template-columns: 32mm 1fr; margin: 0; row-gap: 1mm; }
dt { color: #555; } dd { margin: 0; word-break: break-word; }
.consent { margin-top: 2mm; font-size: 9pt; color: #333; }
table.events { width: 100%; border-collapse: collapse; font-size: 8.5pt; margin-bottom: 5mm; }
table.events th { text-align: left; border-bottom: 0.8pt solid #1d2330; padding: 1mm 1.5mm; }
table.events td { border-bottom: 0.4pt solid #b9c0cc; padding: 1.2mm 1.5mm; vertical-align: top; }
table.events td.agent { font-size: 7.5pt; color: #444; word-break: break-word; }
table.events td.when { white-space: nowrap; }
</style></head><body>
<h1>{{ t.heading }}</h1>
<div class="meta">
  <p>{{ title }} <span class="doc-number">{{ number }}</span>, {{ t.issued_by }}
  <span class="seller">{{ seller }}</span>.</p>
  <p>{{ t.sha256 }}<br><span class="hash">{{ sha256 }}</span></p>
</div>
<table class="events">
  <thead><tr><th>{{ t.time }}</th><th>{{ t.event }}</th><th>{{ t.by }}</th>
    <th>{{ t.ip }}</th><th>{{ t.browser }}</th></tr></thead>
  <tbody>
  {% for e in events %}
  <tr><td class="when">{{ e.at }}</td><td>{{ e.what }}</td><td>{{ e.who }}</td>
    <td class="when">{{ e.ip_address }}</td><td class="agent">{{ e.user_agent }}</td></tr>
  {% endfor %}
  </tbody>
</table>
{% for consent in consents %}
<p class="consent">{{ consent }}</p>
{% endfor %}
<p class="consent">{{ sealed }}</p>
</body></html>
"""


LABELS = {
    "en": {
        "heading": "Signature page",
        "footer": "signature page",
        "issued_by": "issued by",
        "sha256": "SHA-256 of the document as sent:",
        "time": "Time",
        "event": "Event",
        "by": "By",
        "ip": "IP address",
        "browser": "Browser",
        "sent": "Sent for signature",
        "opened": "Opened",
        "signed": "Signed",
        "consented": "{name} consented to sign electronically and typed “{typed}” as their "
        "signature.",
        "sealed": "This document is sealed with an electronic signature of {seller}; any change "
        "made after signing invalidates that signature.",
        "reason": "Signed {number} through {seller}",
    },
    "nl": {
        "heading": "Ondertekeningspagina",
        "footer": "ondertekeningspagina",
        "issued_by": "uitgegeven door",
        "sha256": "SHA-256 van het document zoals verzonden:",
        "time": "Tijd",
        "event": "Gebeurtenis",
        "by": "Door",
        "ip": "IP-adres",
        "browser": "Browser",
        "sent": "Verzonden ter ondertekening",
        "opened": "Geopend",
        "signed": "Ondertekend",
        "consented": "{name} heeft ingestemd met elektronisch ondertekenen en “{typed}” als "
        "handtekening getypt.",
        "sealed": "Dit document is verzegeld met een elektronische handtekening van {seller}; "
        "elke wijziging na ondertekening maakt die handtekening ongeldig.",
        "reason": "{number} ondertekend via {seller}",
    },
}
"""The signature page in the document's language; one without labels of its own (zh)
gets the English ones."""


def labels_for(language: str) -> dict[str, str]:
    return LABELS.get(language, LABELS["en"])


def append_signature_page(
    pdf: bytes,
    *,
    document_number: str,
    document_title: str,
    unsigned_sha256: str,
    signers: list[SignatureEvent],
    seller_name: str,
    sent_by: str = "",
    sent_at: datetime | None = None,
    language: str = "en",
) -> bytes:
    """The audit certificate: the document's hash as sent, then every event in order,
    each with its time and, for the signers' acts, the IP address and browser."""
    t = labels_for(language)
    events = []
    if sent_at is not None:
        events.append((sent_at, t["sent"], sent_by, "", ""))
    for s in signers:
        who = f"{s.name} <{s.email}>"
        if s.opened_at is not None:
            events.append((s.opened_at, t["opened"], who, s.opened_ip, s.opened_user_agent))
        events.append((s.signed_at, t["signed"], who, s.ip_address, s.user_agent))
    html = compile_template(_PAGE).render(
        t=t,
        consents=[
            t["consented"].format(name=s.name, typed=s.typed_name or s.name) for s in signers
        ],
        sealed=t["sealed"].format(seller=seller_name),
        number=document_number,
        title=document_title,
        seller=seller_name,
        sha256=unsigned_sha256,
        events=[
            {
                "at": at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
                "what": what,
                "who": who,
                "ip_address": ip or "",
                "user_agent": agent or "",
            }
            for at, what, who, ip, agent in sorted(events, key=lambda e: e[0])
        ],
    )
    page = HTML(string=html, url_fetcher=_NoFetching()).write_pdf()
    assert page is not None
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(pdf)))
    writer.append(PdfReader(io.BytesIO(page)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def sign_pdf(
    pdf: bytes,
    *,
    cert_path: Path,
    key_path: Path,
    reason: str,
    location: str = "",
    chain: Sequence[Path] = (),
    timestamper: TimeStamper | None = None,
    validation_context: ValidationContext | None = None,
) -> bytes:
    """Seal the PDF with an invisible PAdES signature of the service's certificate.

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
        field_name=FIELD_NAME,
        reason=reason,
        location=location or None,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        embed_validation_info=long_term,
        use_pades_lta=long_term,
        validation_context=validation_context,
    )
    out = _run(
        lambda: signers.async_sign_pdf(writer, metadata, signer=signer, timestamper=timestamper)
    )
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
