"""A worker's resident memory over many renders: one process renders documents through the
worker's render path (documents.renders.render_files: PDF with page marks and archival
data, DOCX) one after another, each with its own number, marks and dates, as a worker
renders documents that differ; its resident MB (VmRSS) is sampled every few renders.

Printed: MB at the start (after the first render of each kind), the peak, the end, and the
slope (least squares over the samples after the first tenth, in MB per 100 renders): a
cache keyed by content would show as a slope. Beside it, in the same run, the floor: a
fresh process rendering the quote's HTML with WeasyPrint alone (no marks, no parts, a
new font configuration each time, as WeasyPrint does by default), as many times.

    .venv/bin/python -m bench.worker_memory --renders 1000     (some 10 minutes)
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import multiprocessing
import re
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path

from weasyprint import HTML

from bench.results import Goal, Report

GOAL_MB = 250
SAMPLES = 40


def rss_mb() -> float:
    found = re.search(r"VmRSS:\s+(\d+) kB", Path("/proc/self/status").read_text())
    assert found is not None
    return int(found[1]) / 1024


def slope_per_100(samples: list[tuple[int, float]]) -> float:
    """MB per 100 renders, least squares over the samples after the first tenth."""
    kept = samples[len(samples) // 10 :]
    if len(kept) < 2:
        return 0.0
    xs, ys = [float(n) for n, _ in kept], [mb for _, mb in kept]
    return statistics.linear_regression(xs, ys).slope * 100


def _renders(renders: int, answer: Connection) -> None:
    """In a fresh process: the documents made through the API on a fresh database, then
    `renders` renders of them in turn through render_files (inside the desk: the template
    packages live in its folder)."""
    from app.documents.assembling import assemble_stored
    from app.documents.renders import render_files
    from app.library.templates import package_for, published_version
    from app.rendering.page_marks import PageMarks
    from app.rendering.pdf import Archival, render_html
    from bench.create_document import QUOTE_LINES, desk, licence_body

    with desk() as d:
        bodies = [
            {
                "template": "quote",
                "data": {"account": d.accounts["GB"], "currency": "GBP", "lines": QUOTE_LINES},
            },
            licence_body(d.accounts["NL"], 40),
            licence_body(d.accounts["NL"], 385),
        ]
        documents_ = []
        for body in bodies:
            made = d.client.post(
                "/api/v1/documents", json=body, headers={**d.headers, "Prefer": "wait=120"}
            )
            assert made.status_code == 201, made.json
            assembled = assemble_stored(d.uow, uuid.UUID(made.json["id"]))
            with d.uow:
                package = package_for(
                    published_version(d.uow.session, body["template"]),
                    d.uow.settings.template_cache_dir,
                )
            documents_.append((package, assembled))
        quote_package, quote = documents_[0]
        floor_html = render_html(
            (quote_package.path / quote_package.html).read_text(), quote.context, name="quote"
        )
        floor_base = quote_package.path.resolve().as_uri() + "/"

        def render(n: int) -> None:
            package, assembled = documents_[2 if n % 10 == 9 else n % 2]
            context = copy.deepcopy(assembled.context)
            number = f"BENCH-{n:06d}"
            context["doc"]["number"] = number
            marks = PageMarks(number, 1 + n % 5, f"{n:064x}", "en", draft=n % 2 == 0)
            made_at = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=n)
            archival = Archival(made_at, f'{{"n": {n}}}'.encode())
            render_files(package, dataclasses.replace(assembled, context=context), marks, archival)

        for n in (0, 1, 9):
            render(n)
        start = rss_mb()
        every = max(1, renders // SAMPLES)
        samples = [(0, start)]
        started = time.perf_counter()
        for n in range(renders):
            render(n)
            if (n + 1) % every == 0:
                samples.append((n + 1, rss_mb()))
        answer.send((samples, time.perf_counter() - started, floor_html, floor_base))


def _floor(renders: int, html: str, base_url: str, answer: Connection) -> None:
    """In a fresh process: WeasyPrint alone rendering the same HTML `renders` times."""
    HTML(string=html, base_url=base_url).write_pdf()
    samples = [(0, rss_mb())]
    every = max(1, renders // SAMPLES)
    for n in range(renders):
        HTML(string=html, base_url=base_url).write_pdf()
        if (n + 1) % every == 0:
            samples.append((n + 1, rss_mb()))
    answer.send(samples)


def _in_process(target: object, *args: object) -> object:
    fresh = multiprocessing.get_context("spawn")
    receiver, sender = fresh.Pipe(duplex=False)
    process = fresh.Process(target=target, args=(*args, sender))
    process.start()
    result = receiver.recv()
    process.join()
    return result


def _line(name: str, samples: list[tuple[int, float]]) -> str:
    values = [mb for _, mb in samples]
    return (
        f"{name:<26} start {values[0]:6.1f} MB  peak {max(values):6.1f} MB  "
        f"end {values[-1]:6.1f} MB  slope {slope_per_100(samples):+6.2f} MB/100 renders"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--renders", type=int, default=1000)
    args = parser.parse_args()

    samples, seconds, floor_html, floor_base = _in_process(_renders, args.renders)  # type: ignore[misc]
    floor = _in_process(_floor, args.renders, floor_html, floor_base)

    report = Report("bench.worker_memory")
    report.print(
        f"{args.renders} renders in one process through render_files (quote and licence of 40 "
        f"titles in turn, every tenth a licence of 385 titles), {seconds:.0f} s; RSS every "
        f"{max(1, args.renders // SAMPLES)} renders"
    )
    report.print(_line("worker render path", samples))
    report.print(_line("floor: WeasyPrint alone", floor))  # type: ignore[arg-type]
    peak = max(mb for _, mb in samples)
    slope = slope_per_100(samples)
    report.write(
        [
            Goal(
                f"peak resident MB over {args.renders} renders ≤ {GOAL_MB}",
                f"{peak:.0f}",
                peak <= GOAL_MB,
            ),
            Goal("slope ≤ 1 MB per 100 renders (steady)", f"{slope:+.2f}", slope <= 1.0),
        ]
    )


if __name__ == "__main__":
    main()
