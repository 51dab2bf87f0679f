"""KBART files of 100,000 rows (an e-book collection with journals among it, one journal in
ten with two coverage ranges), each step in a fresh process, beside the floor of the same
file read and written by the csv module in the same run:

- import: an upload read into the titles a document stores (every row checked, a title's
  rows joined, identifiers checked for duplicates);
- check: the file checked a row at a time, nothing kept (app.titles.streaming);
- copy: checked and written out again as our KBART, a row at a time;
- export: a stored list of 100,000 titles written out as KBART;
- upload (API): the file posted to `POST …/title-lists` of a licence (on SQLite and local
  storage), checked, copied and stored as the year's list; then `GET …/title-schedule.kbart`
  for the year. "MB before" is the process with the app, its data and the file loaded.

Peak MB is the most resident memory the process held (modules, the file's bytes where
read whole, and what the step made).

    .venv/bin/python -m bench.kbart_lists          (about a minute)
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing
import re
import tempfile
import time
import uuid
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from bench.results import Goal, Report

ROWS = 100_000
GOAL_SECONDS, GOAL_MB = 5.0, 300.0
GOAL_RISE_MB = 150.0
"""Through the API, the app (with its PDF and DOCX renderers) already holds some 250 MB."""


def _issn(n: int) -> str:
    digits = f"{(1_000_000 + n * 7919) % 10**7:07d}"
    check = -sum((8 - i) * int(d) for i, d in enumerate(digits)) % 11
    return f"{digits[:4]}-{digits[4:]}{'0123456789X'[check]}"


def _isbn(n: int) -> str:
    digits = f"978{(100_000_000 + n * 7907) % 10**9:09d}"
    check = -sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits)) % 10
    return f"{digits}{check}"


def write_file(path: Path, rows: int = ROWS) -> None:
    """A provider's KBART file of `rows` rows."""
    from app.titles.kbart import KBART_COLUMNS

    written = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("\t".join([*KBART_COLUMNS, "package_name"]) + "\n")
        n = 0
        while written < rows:
            n += 1
            if n % 3:
                row = {
                    "publication_title": f"Journal of Collected Studies {n}",
                    "online_identifier": _issn(n),
                    "date_first_issue_online": "1997",
                    "num_first_vol_online": "1",
                    "title_url": f"https://journals.example.org/{n}",
                    "coverage_depth": "fulltext",
                    "publisher_name": "Northfield Academic Press",
                    "publication_type": "serial",
                    "access_type": "P",
                }
                ranges = [row]
                if n % 10 == 1:
                    ranges = [
                        {**row, "date_last_issue_online": "2001"},
                        {**row, "date_first_issue_online": "2005", "num_first_vol_online": "9"},
                    ]
            else:
                ranges = [
                    {
                        "publication_title": f"A Monograph on Subject {n}",
                        "online_identifier": _isbn(n),
                        "first_author": "Author",
                        "title_url": f"https://books.example.org/{n}",
                        "publisher_name": "Northfield Academic Press",
                        "publication_type": "monograph",
                        "date_monograph_published_online": "2020",
                        "access_type": "P",
                    }
                ]
            for r in ranges[: rows - written]:
                out.write("\t".join([*(r.get(c, "") for c in KBART_COLUMNS), "Core"]) + "\n")
                written += 1


def _floor(source: Path, target: Path) -> Any:
    with source.open(newline="") as text, target.open("w", newline="") as out:
        writer = csv.writer(out, delimiter="\t", lineterminator="\n")
        for record in csv.reader(text, delimiter="\t"):
            writer.writerow(record)


def _import(source: Path, target: Path) -> Any:
    from app.titles.importing import read_title_list

    data = source.read_bytes()
    read = read_title_list(data, filename=source.name, max_rows=2 * ROWS, max_bytes=len(data))
    return len(read.rows)


def _check(source: Path, target: Path) -> Any:
    from app.titles.streaming import check_kbart

    with source.open(encoding="utf-8", newline="") as text:
        count, problems = check_kbart(text)
    assert not problems, problems[:3]
    return count


def _copy(source: Path, target: Path) -> Any:
    from app.titles.streaming import copy_kbart

    with source.open(encoding="utf-8", newline="") as text, target.open("w") as out:
        assert not copy_kbart(text, out, publisher="Northfield Academic Press")


def _stored(source: Path) -> list[dict[str, Any]]:
    from app.titles.importing import read_title_list

    data = source.read_bytes()
    return read_title_list(data, filename=source.name, max_rows=2 * ROWS, max_bytes=len(data)).rows


def _export(source: Path, target: Path, stored: list[dict[str, Any]]) -> Any:
    from app.assembly.schemas import TitleIn
    from app.titles.kbart import write_kbart

    with target.open("w", encoding="utf-8") as out:
        titles = (TitleIn.model_validate(row) for row in stored)
        write_kbart(titles, out, publisher="Northfield Academic Press", extra=())


STEPS: dict[str, Callable[..., Any]] = {
    "csv floor": _floor,
    "import": _import,
    "check": _check,
    "copy": _copy,
    "export": _export,
}


def _upload(source: Path, answer: Connection) -> None:
    """In a fresh process: the app with a licence, then the upload and the year's KBART,
    each timed, the high-water mark reset after the setup."""
    from app.documents.models import SIGNED, Document
    from bench.create_document import desk, licence_body

    with desk() as d:
        created = d.client.post(
            "/api/v1/documents",
            json=licence_body(d.accounts["NL"], 3),
            headers={**d.headers, "Prefer": "wait=120"},
        )
        assert created.status_code == 201, created.json
        licence_id = created.json["id"]
        with d.uow:  # signing is not what is measured here
            licence = d.uow.session.get(Document, uuid.UUID(licence_id))
            assert licence is not None
            licence.status = SIGNED
            d.uow.commit()
        data = source.read_bytes()
        base = f"/api/v1/documents/{licence_id}"
        Path("/proc/self/clear_refs").write_text("5")
        before = peak_mb()
        started = time.perf_counter()
        posted = d.client.post(
            f"{base}/title-lists?year=2028&filename={source.name}", data=data, headers=d.headers
        )
        assert posted.status_code == 201, posted.json
        upload = time.perf_counter() - started, before, peak_mb()
        Path("/proc/self/clear_refs").write_text("5")
        before = peak_mb()
        started = time.perf_counter()
        exported = d.client.get(f"{base}/title-schedule.kbart?year=2028", headers=d.headers)
        assert exported.status_code == 200 and exported.data.count(b"\n") == ROWS + 1
        answer.send((upload, (time.perf_counter() - started, before, peak_mb())))


def _run(what: str, source: Path, answer: Connection) -> None:
    """In a fresh process: the step's seconds and this process's peak MB."""
    import app.titles.streaming  # noqa: F401  (loaded before timing, as in a worker)

    target = source.with_name(f"{what.replace(' ', '-')}.txt")
    args = (source, target, _stored(source)) if what == "export" else (source, target)
    before = peak_mb()
    started = time.perf_counter()
    STEPS[what](*args)
    answer.send((time.perf_counter() - started, before, peak_mb()))


def peak_mb() -> float:
    peak = re.search(r"VmHWM:\s+(\d+) kB", Path("/proc/self/status").read_text())
    assert peak is not None
    return int(peak[1]) / 1024


def measure(what: str, source: Path) -> tuple[float, float, float]:
    result: tuple[float, float, float] = _in_fresh_process(_run, what, source)
    return result


def _in_fresh_process(target: Callable[..., None], *args: Any) -> Any:
    fresh = multiprocessing.get_context("spawn")
    receiver, sender = fresh.Pipe(duplex=False)
    process = fresh.Process(target=target, args=(*args, sender))
    process.start()
    result = receiver.recv()
    process.join()
    return result


def main() -> None:
    argparse.ArgumentParser(description=__doc__).parse_args()
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "Northfield_Global_AllTitles_2027-01-01.txt"
        write_file(source)
        size = source.stat().st_size
        results = {what: measure(what, source) for what in STEPS}
        results["upload (API)"], results["KBART (API)"] = _in_fresh_process(_upload, source)
    report = Report("bench.kbart_lists")
    report.print(f"{ROWS:,} KBART rows, {size / 2**20:.1f} MB")
    report.print(f"{'':13}{'seconds':>9}{'MB before':>11}{'peak MB':>9}")
    for what, (seconds, before, peak) in results.items():
        report.print(f"{what:13}{seconds:9.2f}{before:11.0f}{peak:9.0f}")
    report.print()
    floor = results["csv floor"][0]
    for what in STEPS:
        if what != "csv floor":
            report.print(f"{what} / csv floor: time {results[what][0] / floor:.1f}")
    goals = [
        Goal(
            f"{what}, {ROWS:,} rows: ≤ {GOAL_SECONDS:.0f} s and ≤ {GOAL_MB:.0f} MB",
            f"{results[what][0]:.2f} s, {results[what][2]:.0f} MB",
            results[what][0] <= GOAL_SECONDS and results[what][2] <= GOAL_MB,
        )
        for what in ("import", "export", "copy")
    ]
    goals += [
        Goal(
            f"{what}, {ROWS:,} rows: ≤ {GOAL_SECONDS:.0f} s and ≤ {GOAL_RISE_MB:.0f} MB above "
            "the app's own",
            f"{results[what][0]:.2f} s, {results[what][2] - results[what][1]:.0f} MB",
            results[what][0] <= GOAL_SECONDS
            and results[what][2] - results[what][1] <= GOAL_RISE_MB,
        )
        for what in ("upload (API)", "KBART (API)")
    ]
    report.write(goals)


if __name__ == "__main__":
    main()
