"""Our PDF against LibreOffice's, measured in the same run, for the licence agreement of
bench.create_document (385 titles) and title lists of 300 and 3,000 titles.

Ours: the app's own PDF render (render_long_grid_pdf) in a fresh process,
warmed up by one render, then timed; its peak MB is that process's peak resident memory.
Warmed up, a process remembers the geometry of the pages the template's grid ran onto
(as a worker does after its first document of a template); "1st s" times renders that
measure it anew, as the first document of its template in a process does.
LibreOffice: the document's DOCX twin (rendered by docxtpl, as the app renders it; "docx s"
is that render) converted to PDF (a) cold: `soffice --headless --convert-to pdf` in a
fresh process with a fresh user profile, timed end to end, its peak MB sampled every 50 ms;
(b) warm: through a resident LibreOffice (unoserver, warmed up by one conversion), timed
per conversion by unoserver's client. The ratios set our PDF against the conversion alone:
the app renders the DOCX of every document anyway, so the conversion is all that using
LibreOffice for the PDF would cost. Needs `make bench-setup` (LibreOffice, unoserver).

    make bench        (or: .venv/bin/python -m bench.libreoffice --runs 3)
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing
import os
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from app.config import PROJECT_ROOT
from app.library.template_packages import read_template_package
from app.rendering import long_grid_pdf
from app.rendering.docx import render_docx
from app.rendering.grid_pages import ContinuedGrids
from app.rendering.long_grid_pdf import render_long_grid_pdf
from bench.results import Goal, Report
from bench.title_lists import peak_mb, title_list_context, tree_mb
from tests.support.ports import free_port

UNOSERVER_BIN = PROJECT_ROOT / "build" / "unoserver" / "bin"
LICENCE_TITLES = 385
LIST_SIZES = (300, 3000)


@dataclass(frozen=True)
class Document:
    name: str
    package_dir: Path
    context: dict[str, Any]


@dataclass(frozen=True)
class Figures:
    pages: str
    """Of ours, LibreOffice's cold and warm PDFs."""
    ours: float
    ours_first: float
    """Measuring the grid's pages anew, as a process's first document of a template."""
    docx: float
    cold: float
    warm: float
    ours_mb: float
    cold_mb: float


def licence_context(titles: int) -> dict[str, Any]:
    """The licence agreement bench.create_document makes: created through the API, then
    assembled again from its record. Imported here rather than at the top: those modules
    load the rest of the web app (some 30 MB), which would then sit in each process spawned
    to render ours and in its peak MB."""
    from app.documents import assembling
    from bench.create_document import desk, licence_body

    with desk() as d:
        body = licence_body(d.accounts["NL"], titles)
        answer = d.client.post(
            "/api/v1/documents", json=body, headers={**d.headers, "Prefer": "wait=120"}
        )
        assert answer.status_code == 201, answer.json
        return assembling.assemble_stored(d.uow, uuid.UUID(answer.json["id"])).context


def _render_ours(document: Document, runs: int, out: Path, answer: Connection) -> None:
    """In a fresh process: one render to warm up (fonts, templates, the grid's pages
    measured), then `runs` timed; then `runs` timed that measure the grid's pages anew."""
    package = read_template_package(document.package_dir)
    pdf = render_long_grid_pdf(package.path, package.html, document.context)

    def timed(forget: bool) -> float:
        nonlocal pdf
        seconds = []
        for _ in range(runs):
            if forget:
                long_grid_pdf.CONTINUED = ContinuedGrids()
            started = time.perf_counter()
            pdf = render_long_grid_pdf(package.path, package.html, document.context)
            seconds.append(time.perf_counter() - started)
        return statistics.median(seconds)

    warm = timed(forget=False)
    out.write_bytes(pdf)
    answer.send((warm, timed(forget=True), peak_mb()))


def ours(document: Document, runs: int, out: Path) -> tuple[float, float, float]:
    """Median seconds of our render (warm, and measuring the grid anew) and its peak MB,
    in a fresh process."""
    fresh = multiprocessing.get_context("spawn")
    receiver, sender = fresh.Pipe(duplex=False)
    process = fresh.Process(target=_render_ours, args=(document, runs, out, sender))
    process.start()
    warm, first, peak = receiver.recv()
    process.join()
    return float(warm), float(first), float(peak)


def _until_exit(process: subprocess.Popen[bytes]) -> float:
    """Wait for the process, sampling every 50 ms; the peak MB of it and its children."""
    peak = 0.0
    while True:
        peak = max(peak, tree_mb(process.pid))
        try:
            process.wait(0.05)
            return peak
        except subprocess.TimeoutExpired:
            continue


def cold(docx: Path, runs: int, folder: Path) -> tuple[float, float, Path]:
    """Median seconds and peak MB of `soffice --convert-to pdf`, each run a fresh process
    with a fresh profile; and the PDF it made."""
    soffice = shutil.which("soffice")
    assert soffice is not None, "LibreOffice is missing: make bench-setup"
    out = folder / "cold"
    seconds, peak = [], 0.0
    for _ in range(runs):
        profile = Path(tempfile.mkdtemp(prefix="profile-", dir=folder))
        started = time.perf_counter()
        process = subprocess.Popen(
            [
                soffice,
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--norestore",
                "--convert-to",
                "pdf",
                "--outdir",
                str(out),
                str(docx),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        peak = max(peak, _until_exit(process))
        seconds.append(time.perf_counter() - started)
        assert process.returncode == 0, f"soffice failed on {docx}"
    return statistics.median(seconds), peak, out / docx.with_suffix(".pdf").name


def warm(docxs: list[Path], runs: int, folder: Path) -> tuple[dict[Path, float], float]:
    """Median seconds of each conversion through a resident LibreOffice (unoserver), and the
    peak MB of the resident processes (unoserver and LibreOffice) while converting."""
    assert (UNOSERVER_BIN / "unoserver").exists(), "unoserver is missing: make bench-setup"
    port = free_port()
    with open(folder / "unoserver.log", "ab") as log:
        server = subprocess.Popen(
            [
                str(UNOSERVER_BIN / "unoserver"),
                "--port",
                str(port),
                "--uno-port",
                str(free_port()),
                "--user-installation",
                str(folder / "profile-warm"),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 120
        while not _listening(port):
            assert time.monotonic() < deadline, f"unoserver did not start; see {log.name}"
            time.sleep(0.2)
        client = subprocess.Popen(
            [
                str(UNOSERVER_BIN / "python"),
                str(PROJECT_ROOT / "bench" / "uno_client.py"),
                "--port",
                str(port),
                "--runs",
                str(runs),
                *map(str, docxs),
            ],
            stdout=subprocess.PIPE,
        )
        peak = 0.0
        while client.poll() is None:
            peak = max(peak, tree_mb(server.pid))
            time.sleep(0.05)
        assert client.returncode == 0, f"unoconvert failed; see {log.name}"
        assert client.stdout is not None
        seconds = json.loads(client.stdout.read())
    finally:
        _stop(server)
    return {Path(docx): statistics.median(times) for docx, times in seconds.items()}, peak


def _stop(server: subprocess.Popen[bytes]) -> None:
    """Stop unoserver and its LibreOffice; unoserver 3.7 may hang on SIGTERM once its
    LibreOffice has exited, so the group is killed after 10 s."""
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(10)


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def _pages(pdf: Path) -> int:
    return len(PdfReader(io.BytesIO(pdf.read_bytes())).pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    templates = PROJECT_ROOT / "contract_templates"
    documents = [
        Document(
            "licence agreement",
            templates / "licence-agreement",
            licence_context(LICENCE_TITLES),
        ),
        *(
            Document(f"title list {n:,}", templates / "title-list", title_list_context(n))
            for n in LIST_SIZES
        ),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        docxs, docx_seconds = [], []
        for i, document in enumerate(documents):
            package = read_template_package(document.package_dir)
            started = time.perf_counter()
            data = render_docx(package.path, package.docx, document.context)
            docx_seconds.append(time.perf_counter() - started)
            docxs.append(folder / f"document-{i}.docx")
            docxs[-1].write_bytes(data)
        warm_seconds, resident_mb = warm(docxs, args.runs, folder)
        figures = []
        for document, docx, docx_s in zip(documents, docxs, docx_seconds, strict=True):
            ours_pdf = docx.with_suffix(".ours.pdf")
            ours_s, ours_first_s, ours_mb = ours(document, args.runs, ours_pdf)
            cold_s, cold_mb, cold_pdf = cold(docx, args.runs, folder)
            figures.append(
                Figures(
                    pages="/".join(
                        str(_pages(pdf))
                        for pdf in (ours_pdf, cold_pdf, docx.with_suffix(".warm.pdf"))
                    ),
                    ours=ours_s,
                    ours_first=ours_first_s,
                    docx=docx_s,
                    cold=cold_s,
                    warm=warm_seconds[docx],
                    ours_mb=ours_mb,
                    cold_mb=cold_mb,
                )
            )

    report = Report("bench.libreoffice")
    report.print(
        f"runs: {args.runs} each, medians; seconds of ours (PDF) against LibreOffice converting "
        "the DOCX, cold and warm; pages: ours/cold/warm"
    )
    report.print(
        f"{'':18}{'pages':>12}{'ours s':>8}{'1st s':>7}{'cold s':>8}{'warm s':>8}{'/cold':>7}"
        f"{'/warm':>7}{'docx s':>8}{'ours MB':>9}{'cold MB':>9}"
    )
    for document, f in zip(documents, figures, strict=True):
        report.print(
            f"{document.name:18}{f.pages:>12}{f.ours:8.2f}{f.ours_first:7.2f}{f.cold:8.2f}"
            f"{f.warm:8.2f}{f.ours / f.cold:7.2f}{f.ours / f.warm:7.2f}{f.docx:8.2f}"
            f"{f.ours_mb:9.0f}{f.cold_mb:9.0f}"
        )
    report.print(
        f"resident LibreOffice (unoserver + soffice) while converting: {resident_mb:.0f} MB; "
        f"our render's peak: {max(f.ours_mb for f in figures):.0f} MB"
    )
    licence, _, large = figures
    report.write(
        [
            Goal(
                "licence agreement: ours / LibreOffice warm ≤ 1.0",
                f"{licence.ours / licence.warm:.2f}",
                licence.ours <= licence.warm,
            ),
            Goal(
                f"title list {LIST_SIZES[-1]:,}: LibreOffice warm / ours ≥ 7",
                f"{large.warm / large.ours:.1f}",
                large.warm >= 7 * large.ours,
            ),
            Goal(
                "peak MB of our render ≤ 250",
                f"{max(f.ours_mb for f in figures):.0f}",
                all(f.ours_mb <= 250 for f in figures),
            ),
        ]
    )


if __name__ == "__main__":
    main()
