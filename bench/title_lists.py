"""Title lists at scale: 300 and 3,000 titles as PDF, XLSX, CSV and DOCX, each render in a
fresh process, beside plain-library floors rendered in the same run: the same rows in a
plain HTML <table> through WeasyPrint, and in an ordinary (not write-only) openpyxl
workbook.

Peak MB is the most resident memory the rendering process and any processes it starts
held while rendering; "MB before" is what it held with its modules loaded and the list
built.

    .venv/bin/python -m bench.title_lists          (about three minutes)
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import os
import re
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from markupsafe import escape
from openpyxl import Workbook
from pypdf import PdfReader
from stdnum import issn
from weasyprint import HTML

from app.library.template_packages import TemplatePackage
from app.rendering.docx import render_docx
from app.rendering.long_grid_pdf import render_long_grid_pdf
from app.rendering.tables import render_csv, render_xlsx, title_table
from app.titles.kbart import render_kbart
from bench.results import Goal, Report
from tests.support import title_lists as support

SIZES = (300, 3000)
LARGE_PDF = 30_000
"""Only the PDF is made of this many titles (its floor would take minutes and gigabytes):
its pages, time and memory are reported."""
SUBJECTS = ("Physics", "Chemistry", "Engineering", "Mathematics", "Life Sciences")
PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 2**20


def _issn(n: int) -> str:
    """A valid ISSN, as bench.create_document makes them (not imported from there: that
    module loads the whole web app into every process measured here)."""
    digits = f"{2000000 + n * 7919:07d}"[-7:]
    return str(issn.format(digits + issn.calc_check_digit(digits)))


def title_list_context(titles: int, language: str = "en") -> dict[str, Any]:
    """A title list of `titles` titles; one in seven has a subtitle that wraps."""
    return support.title_list_context(
        [
            {
                "title": f"Journal of Benchmark Studies, Series {n}"
                + (": Letters in Applied and Interdisciplinary Research" if n % 7 == 0 else ""),
                "issn": _issn(n),
                "eissn": _issn(n + 50_000),
                "subject": SUBJECTS[n % len(SUBJECTS)],
                "price": f"{900 + n % 700}.00",
            }
            for n in range(1, titles + 1)
        ],
        customer="Consortium of Benchmark Libraries",
        number="T-2027-000001",
        language=language,
        reference="L-2027-000001",
    )


def plain_table_pdf(context: dict[str, Any]) -> bytes:
    """The floor: the same rows in a plain HTML table, with a page-numbered footer."""
    label = context["label"]
    head = "".join(
        f"<th>{escape(label[k])}</th>"
        for k in ("line_no", "col_title", "issn", "eissn", "subject", "price")
    )
    body = "".join(
        "<tr>"
        + "".join(f"<td>{escape(t[k])}</td>" for k in ("n", "title", "issn", "eissn", "subject"))
        + f'<td class="num">{escape(t["price"])}</td></tr>'
        for t in context["titles"]
    )
    html = (
        "<style>@page { size: A4; margin: 22mm 20mm; "
        '@bottom-right { content: "Page " counter(page) " of " counter(pages); } } '
        'table { width: 100%; border-collapse: collapse; font: 8.5pt "DejaVu Serif"; } '
        "th { text-align: left; } .num { text-align: right; }</style>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )
    return HTML(string=html).write_pdf() or b""


def plain_workbook(context: dict[str, Any]) -> bytes:
    """The floor: an ordinary openpyxl workbook, every cell kept in memory until saved."""
    table = title_table(context)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(table.headers))
    for row in table.rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


RENDERS: dict[str, Callable[[TemplatePackage, dict[str, Any]], bytes]] = {
    "pdf": lambda p, c: render_long_grid_pdf(p.path, p.html, c),
    "pdf floor": lambda p, c: plain_table_pdf(c),
    "xlsx": lambda p, c: render_xlsx(title_table(c)),
    "xlsx floor": lambda p, c: plain_workbook(c),
    "csv": lambda p, c: render_csv(title_table(c)),
    "kbart": lambda p, c: render_kbart(c["title_items"], publisher=c["seller"]["name"]),
    "docx": lambda p, c: render_docx(p.path, p.docx, c),
}


def _render(what: str, titles: int, answer: Connection) -> None:
    """In a fresh process: build the list and tell its peak MB so far; render the list and
    answer with the seconds, the peak MB and a PDF's pages."""
    template, context = support.title_list_package(), title_list_context(titles)
    answer.send(peak_mb())
    started = time.perf_counter()
    data = RENDERS[what](template, context)
    seconds = time.perf_counter() - started
    pages = len(PdfReader(io.BytesIO(data)).pages) if what.startswith("pdf") else None
    answer.send((seconds, peak_mb(), pages))


def peak_mb() -> float:
    """This process's peak resident MB (VmHWM; getrusage's would carry over the peak of the
    process it was spawned from)."""
    peak = re.search(r"VmHWM:\s+(\d+) kB", Path("/proc/self/status").read_text())
    assert peak is not None
    return int(peak[1]) / 1024


def tree_mb(root: int) -> float:
    """The resident MB of a process and of all the processes it started, together."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
    tree = {root}
    while grown := {pid for pid, parent in parents.items() if parent in tree} - tree:
        tree |= grown
    pages = 0
    for pid in tree:
        try:
            pages += int(Path(f"/proc/{pid}/statm").read_text().split()[1])
        except OSError:
            continue
    return pages * PAGE_MB


def measure(what: str, titles: int) -> tuple[float, float, float, int | None]:
    """Seconds, MB before rendering, peak MB while rendering (of the rendering process and
    of the processes it started, read every 50 ms) and a PDF's pages, in a fresh process."""
    fresh = multiprocessing.get_context("spawn")
    receiver, sender = fresh.Pipe(duplex=False)
    process = fresh.Process(target=_render, args=(what, titles, sender))
    process.start()
    assert process.pid is not None
    before = receiver.recv()
    tree = 0.0
    while not receiver.poll(0.05):
        tree = max(tree, tree_mb(process.pid))
    seconds, peak, pages = receiver.recv()
    process.join()
    return seconds, before, max(peak, tree), pages


def main() -> None:
    argparse.ArgumentParser(description=__doc__).parse_args()
    results = {(what, n): measure(what, n) for n in SIZES for what in RENDERS}
    results["pdf", LARGE_PDF] = measure("pdf", LARGE_PDF)
    report = Report("bench.title_lists")
    report.print(f"{'':11}{'titles':>7}{'seconds':>9}{'MB before':>11}{'peak MB':>9}{'pages':>7}")
    for what in RENDERS:
        for n in SIZES:
            seconds, before, peak, pages = results[what, n]
            report.print(f"{what:11}{n:7,}{seconds:9.2f}{before:11.0f}{peak:9.0f}{pages or '':>7}")
    seconds, before, peak, pages = results["pdf", LARGE_PDF]
    report.print(f"{'pdf':11}{LARGE_PDF:7,}{seconds:9.2f}{before:11.0f}{peak:9.0f}{pages or '':>7}")
    small, large = SIZES
    report.print()
    for ours, floor in (("pdf", "pdf floor"), ("xlsx", "xlsx floor")):
        for n in SIZES:
            ratio = results[ours, n][0] / results[floor, n][0]
            memory = results[ours, n][2] / results[floor, n][2]
            report.print(f"{ours} / {floor}, {n:,} titles: time {ratio:.2f}, peak MB {memory:.2f}")
    for what in RENDERS:
        ratio = results[what, large][0] / results[what, small][0]
        report.print(f"{what}, {large:,} / {small:,} titles: time {ratio:.1f}")
    formats = [what for what in RENDERS if "floor" not in what]
    peak = max(results[what, large][2] for what in formats)
    linear = results["pdf", large][0] / results["pdf", small][0]
    report.write(
        [
            Goal(
                f"pdf, {large:,} / {small:,} titles: time ≤ 11 (linear)",
                f"{linear:.1f}",
                linear <= 11,
            ),
            Goal(
                f"pdf, {large:,} titles: ≤ 2 s",
                f"{results['pdf', large][0]:.2f}",
                results["pdf", large][0] <= 2,
            ),
            Goal(
                f"peak MB of {', '.join(formats)}, {large:,} titles: each ≤ 250",
                f"{peak:.0f}",
                peak <= 250,
            ),
        ]
    )


if __name__ == "__main__":
    main()
