"""Signing with a timestamp and validation data (PAdES B-LTA) against a local TSA and OCSP
responder (certomancer over HTTP), against the raw library floor in the same run: plain
pyHanko B-B signing of the same PDF, and pyHanko's own B-LTA with its requests clients.

    .venv/bin/python -m bench.signing_ltv --runs 15 --pages 20
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper
from pyhanko_certvalidator import ValidationContext
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from app.config import Settings
from app.outbound import guard_for
from app.signing.local_ca import ensure_local_pki
from app.signing.long_term import Sealing, _roots, check, extend, seal
from app.signing.pdf_signature import sign_pdf
from bench.results import Goal, Report
from tests.support.pki_services import PkiServices

LIMIT = 1.15
"""Our B-LTA (guarded TSA and OCSP clients) / pyHanko's own B-LTA, at most."""


def _licence(pages: int) -> bytes:
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4)
    for number in range(1, pages + 1):
        for line in range(50):
            page.drawString(60, 780 - line * 14, f"Clause {number}.{line}: the Licensee may ...")
        page.showPage()
    page.save()
    return out.getvalue()


def _median_ms(action: Callable[[], object], runs: int) -> float:
    action()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def _plain(pdf: bytes, instance: Path) -> bytes:
    return sign_pdf(
        pdf,
        cert_path=instance / "signing-cert.pem",
        key_path=instance / "signing-key.pem",
        reason="bench",
    )


def _raw_lta(pdf: bytes, instance: Path, tsa_url: str) -> bytes:
    """pyHanko alone: its requests TSA client and fetchers, no guard."""
    signer = signers.SimpleSigner.load(
        str(instance / "signing-key.pem"),
        str(instance / "signing-cert.pem"),
        ca_chain_files=(str(instance / "signing-chain.pem"),),
    )
    assert signer is not None
    metadata = signers.PdfSignatureMetadata(
        field_name="Signature",
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        embed_validation_info=True,
        use_pades_lta=True,
        validation_context=ValidationContext(
            trust_roots=_roots(instance), allow_fetching=True, revocation_mode="hard-fail"
        ),
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    out = signers.sign_pdf(
        writer, metadata, signer=signer, timestamper=RequestsHTTPTimeStamper(tsa_url)
    )
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--pages", type=int, default=20)
    args = parser.parse_args()
    pdf = _licence(args.pages)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        pki = PkiServices(folder / "pki").start()
        try:
            instance = folder / "instance"
            pki.install_signer(instance)
            local = folder / "local"
            ensure_local_pki(local, organisation="Bench Publisher")
            guard = guard_for(Settings(outbound_allow="127.0.0.1/32"))
            remote = Sealing(instance, pki.tsa_url, guard, "Bench Publisher")
            embedded = Sealing(local, None, guard, "Bench Publisher")
            sealed = seal(pdf, remote, reason="bench")
            assert check(sealed, _roots(instance)).valid
            figures = {
                "floor: pyHanko B-B, CA key (RSA)": _median_ms(
                    lambda: _plain(pdf, instance), args.runs
                ),
                "floor: pyHanko B-B, local key (EC)": _median_ms(
                    lambda: _plain(pdf, local), args.runs
                ),
                "pyHanko B-LTA (its own clients)": _median_ms(
                    lambda: _raw_lta(pdf, instance, pki.tsa_url), args.runs
                ),
                "ours B-LTA, TSA + OCSP": _median_ms(
                    lambda: seal(pdf, remote, reason="bench"), args.runs
                ),
                "ours B-LTA, local key": _median_ms(
                    lambda: seal(pdf, embedded, reason="bench"), args.runs
                ),
                "ours extend (+ doc TS)": _median_ms(lambda: extend(sealed, remote), args.runs),
                "relying-party check": _median_ms(
                    lambda: check(sealed, _roots(instance)), args.runs
                ),
            }
        finally:
            pki.stop()
    floor = figures["floor: pyHanko B-B, CA key (RSA)"]
    local_floor = figures["floor: pyHanko B-B, local key (EC)"]
    raw_lta = figures["pyHanko B-LTA (its own clients)"]
    report = Report("bench.signing_ltv")
    report.print(
        f"runs: {args.runs} each, medians; a {args.pages}-page PDF ({len(pdf) // 1024} KiB); "
        "TSA and OCSP: certomancer on loopback"
    )
    for name, ms in figures.items():
        own = local_floor if "local" in name else floor
        report.print(f"{name:36} {ms:8.1f} ms  / its B-B floor {ms / own:5.2f}")
    ours = figures["ours B-LTA, TSA + OCSP"] / raw_lta
    report.print(f"ours B-LTA / pyHanko's own B-LTA, same TSA and OCSP: {ours:.2f}")
    report.write(
        [Goal(f"ours B-LTA / pyHanko's own B-LTA ≤ {LIMIT}", f"{ours:.2f}", ours <= LIMIT)]
    )


if __name__ == "__main__":
    main()
