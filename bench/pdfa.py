"""What PDF/A-3 costs: the same licence (the shipped sample, its schedule listing some
titles, laid out in one piece) rendered by WeasyPrint as a plain PDF, the library floor;
as we store it, a PDF/A-3a tagged for screen readers and carrying contract.json; and as
a PDF/A-3b with contract.json but no tags (what a document joined from parts gets).
Taking turns in one run, medians; the garbage of one render is collected before the next
is timed (a layout leaves many cycles, which the collector would otherwise walk during
whichever render comes next). Then the writing alone, of one laid-out document, to show
what the tags cost apart from the layout, which they do not change.

Where the tags' time goes (cProfile of write_pdf, the licence below): WeasyPrint makes a
structure element for every box and every run of text (2,409 here: 1,188 Spans, one per
run, 699 TD, 146 TR; Schedule 2's 100 titles alone are 626 of the runs), each a pydyf
dictionary serialised into a compressed object stream, and marks every run (BDC/EMC)
and every border and background (Artifact) in the content streams, 16 % more bytes to
deflate. The templates' markup has nothing to spare there: one element per cell and one
per run is what a screen reader reads. What was spare was WeasyPrint's file identifier
(pdf_identifier=True): pydyf serialises every object again, deflating every stream again,
to hash them, a pass that grows with the structure tree; write_archival adds /ID itself
from the file's MD5 (app.rendering.pdf.with_identifier).

    .venv/bin/python -m bench.pdfa --runs 15
"""

from __future__ import annotations

import argparse
import gc
import io
import statistics
import time
import uuid
from collections.abc import Callable

from pypdf import PdfReader
from weasyprint import HTML

from app.db import utcnow
from app.documents import assembling, renders
from app.documents.models import Document
from app.library.templates import package_for, published_version
from app.rendering.pdf import (
    TAGGED_VARIANT,
    PackageAssetFetcher,
    fonts_for,
    lay_out,
    pdf_from_html,
    render_html,
    write_archival,
)
from bench.create_document import desk, licence_body
from bench.results import Goal, Report

GOAL = 1.2


def _timed_in_turn(actions: list[Callable[[], object]], runs: int) -> list[list[float]]:
    """Each action's times over `runs` rounds, taking turns, each run once first."""
    for action in actions:
        action()
    times: list[list[float]] = [[] for _ in actions]
    for _ in range(runs):
        for action, taken in zip(actions, times, strict=True):
            gc.collect()
            started = time.perf_counter()
            action()
            taken.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--titles", type=int, default=100, help="titles in the schedule")
    args = parser.parse_args()

    with desk() as d:
        body = licence_body(d.accounts["NL"], args.titles)
        answer = d.client.post(
            "/api/v1/documents", json=body, headers={**d.headers, "Prefer": "wait=120"}
        )
        assert answer.status_code == 201, answer.json
        document_id = uuid.UUID(answer.json["id"])
        assembled = assembling.assemble_stored(d.uow, document_id)
        with d.uow:
            package = package_for(
                published_version(d.uow.session, "licence-agreement"),
                d.uow.settings.template_cache_dir,
            )
            document = d.uow.session.get(Document, document_id)
            assert document is not None
            archival = renders.version_archival(
                document, assembled, version=1, made_at=utcnow().replace(microsecond=0)
            )
        source = (package.path / package.html).read_text(encoding="utf-8")
        html = render_html(source, assembled.context, name=package.html)
        base_url = package.path.resolve().as_uri() + "/"
        fonts = fonts_for(package.path)
        made: dict[str, bytes] = {}

        def plain() -> None:
            made["plain"] = (
                HTML(
                    string=html, base_url=base_url, url_fetcher=PackageAssetFetcher(package.path)
                ).write_pdf(font_config=fonts)
                or b""
            )

        def stored() -> None:
            made["stored"] = pdf_from_html(package.path, package.html, html, archival)

        def untagged() -> None:
            laid_out = lay_out(
                HTML(string=html, base_url=base_url, url_fetcher=PackageAssetFetcher(package.path)),
                font_config=fonts,
            )
            made["untagged"] = write_archival(laid_out, archival)

        times = _timed_in_turn([plain, stored, untagged], args.runs)

        laid_out = lay_out(
            HTML(string=html, base_url=base_url, url_fetcher=PackageAssetFetcher(package.path)),
            tagged=True,
            font_config=fonts,
        )
        writes = [
            lambda: laid_out.write_pdf(),
            lambda: write_archival(laid_out),
            lambda: write_archival(laid_out, tagged=True),
            lambda: laid_out.write_pdf(pdf_variant=TAGGED_VARIANT, pdf_tags=True),
        ]
        write_times = [statistics.median(t) for t in _timed_in_turn(writes, args.runs)]

    plain_s, stored_s, untagged_s = (statistics.median(t) for t in times)
    pages = len(PdfReader(io.BytesIO(made["stored"])).pages)
    report = Report("bench.pdfa")
    report.print(
        f"licence, {args.titles} titles in its schedule, {pages} pages; "
        f"runs: {args.runs} each, taking turns, medians"
    )
    report.print(
        f"plain PDF (WeasyPrint floor)      {plain_s * 1000:8.1f} ms  "
        f"{len(made['plain']) / 1024:7.1f} KiB"
    )
    report.print(
        f"PDF/A-3a tagged + contract.json   {stored_s * 1000:8.1f} ms  "
        f"{len(made['stored']) / 1024:7.1f} KiB  ratio {stored_s / plain_s:.2f}  (as stored)"
    )
    report.print(
        f"PDF/A-3b untagged + contract.json {untagged_s * 1000:8.1f} ms  "
        f"{len(made['untagged']) / 1024:7.1f} KiB  ratio {untagged_s / plain_s:.2f}"
    )
    plain_w, untagged_w, tagged_w, weasyprint_id_w = (t * 1000 for t in write_times)
    report.print(
        f"writing alone, one layout: plain {plain_w:.0f} ms, PDF/A-3b {untagged_w:.0f} ms, "
        f"PDF/A-3a {tagged_w:.0f} ms (tags +{tagged_w - untagged_w:.0f} ms); "
        f"PDF/A-3a with WeasyPrint's /ID {weasyprint_id_w:.0f} ms"
    )
    report.write(
        [
            Goal(
                f"PDF/A as stored (tagged, with its data) / plain PDF ≤ {GOAL}",
                f"{stored_s / plain_s:.2f}",
                stored_s / plain_s <= GOAL,
            ),
            Goal(
                f"PDF/A-3b untagged, with its data / plain PDF ≤ {GOAL}",
                f"{untagged_s / plain_s:.2f}",
                untagged_s / plain_s <= GOAL,
            ),
        ]
    )


if __name__ == "__main__":
    main()
