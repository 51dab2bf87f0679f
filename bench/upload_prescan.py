"""What the bounded reading of an uploaded workbook costs: the pre-scan
(`app.uploads.ooxml.prescan_xlsx`: the zip directory, then the shared strings and the
sheet as a stream) on an ordinary 3,000-title XLSX, beside the floor measured in the same
run: openpyxl loading the same workbook read-only and reading every row, which an import
does anyway. Runs take turns; medians.

    .venv/bin/python -m bench.upload_prescan        (about half a minute)
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from collections.abc import Callable

import openpyxl

from app.titles.importing import read_title_list
from app.uploads.limits import DEFAULT_LIMITS, Limit
from app.uploads.ooxml import prescan_xlsx
from bench.results import Goal, Report

TITLES = 3000
SUBJECTS = ("Physics", "Chemistry", "Engineering", "Mathematics", "Life Sciences")
GOAL = 0.25
"""The pre-scan may cost at most this share of openpyxl's own reading."""


def workbook(titles: int = TITLES) -> bytes:
    """A title list as a publisher sends one: a header and a row per title, texts shared."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["title", "issn", "eissn", "subject", "package", "price", "coverage"])
    for n in range(1, titles + 1):
        sheet.append(
            [
                f"Journal of Benchmark Studies, Series {n}",
                None,
                None,
                SUBJECTS[n % len(SUBJECTS)],
                "Core Collection",
                900 + n % 700,
                "2001-",
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _prescan(data: bytes) -> None:
    prescan_xlsx(data, DEFAULT_LIMITS, rows=Limit("rows", 20_000), what="the workbook")


def _openpyxl(data: bytes) -> None:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    for _ in book.worksheets[0].iter_rows(values_only=True):
        pass
    book.close()


def _import(data: bytes) -> None:
    read_title_list(data, filename="titles.xlsx")


STEPS: dict[str, Callable[[bytes], None]] = {
    "pre-scan": _prescan,
    "openpyxl floor": _openpyxl,
    "import (pre-scan included)": _import,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    data = workbook()
    timings: dict[str, list[float]] = {name: [] for name in STEPS}
    for _ in range(runs):
        for name, step in STEPS.items():
            started = time.perf_counter()
            step(data)
            timings[name].append(time.perf_counter() - started)
    median = {name: statistics.median(t) * 1000 for name, t in timings.items()}
    ratio = median["pre-scan"] / median["openpyxl floor"]
    report = Report("bench.upload_prescan")
    report.print(f"{TITLES:,}-title XLSX ({len(data) / 1024:.0f} KB), {runs} runs each, medians")
    for name, ms in median.items():
        report.print(f"{name:28} {ms:8.1f} ms")
    report.print(f"pre-scan / openpyxl floor     {ratio:8.2f}")
    report.write(
        [Goal(f"pre-scan / openpyxl reading the rows ≤ {GOAL}", f"{ratio:.2f}", ratio <= GOAL)]
    )


if __name__ == "__main__":
    main()
