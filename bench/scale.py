"""The service at 10,000, 100,000 and 1,000,000 documents: `contractdesk seed` into a
database of its own (contractdesk_scale, dropped afterwards), then p50 and p99 of the hot
queries through the application's own functions, the daily sweeps on two workers (twice:
the second run must find nothing to do), and floors measured in the same run: the first
page's SQL through psycopg alone, and `SELECT count(*) FROM document`.

    .venv/bin/python -m bench.scale --sizes 10000 100000 1000000
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from sqlalchemy import select

from app.accounts.models import Account
from app.config import Settings
from app.documents import validity
from app.documents.approval_queue import queue_page, waiting_count
from app.documents.listing import DocumentFilter, list_documents
from app.entry import runtime_for
from app.renewals.pipeline import renewal_pipeline
from app.reports.order_to_bill import order_to_bill
from app.users.models import User
from bench.results import Goal, Report

ADMIN_URL = os.environ.get(
    "CONTRACTDESK_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)
DATABASE = os.environ.get("CONTRACTDESK_SCALE_DATABASE", "contractdesk_scale")
"""Named otherwise where two runs share a server."""
TEMPLATE = f"{DATABASE}_initialised"
"""`contractdesk init --demo` once, copied for each size (CREATE DATABASE ... TEMPLATE)."""
FOLDER = Path("build/scale")
PAGE = 50
LIST_BOUND_MS, QUEUE_BOUND_MS, SWEEP_BOUND_S, YEAR_BOUND_S = 100, 200, 60, 2


def _admin(sql: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(sql)


def _url(name: str) -> str:
    base = ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    return f"{base}/{name}"


def _environment() -> dict[str, str]:
    """The seeded service's settings; no broker, so the sweeps render in their process."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("CELERY_")}
    return {
        **inherited,
        "DATABASE_URL": _url(DATABASE),
        "CONTRACTDESK_INSTANCE_DIR": str(FOLDER / "instance"),
        "CONTRACTDESK_STORAGE_DIR": str(FOLDER / "storage"),
    }


def _contractdesk(*args: str) -> subprocess.Popen[bytes]:
    command = [str(Path(sys.executable).with_name("contractdesk")), *args]
    return subprocess.Popen(command, env=_environment(), stdout=subprocess.DEVNULL)


def _run(*args: str) -> float:
    started = time.perf_counter()
    process = _contractdesk(*args)
    if process.wait():
        raise SystemExit(f"contractdesk {' '.join(args)} failed")
    return time.perf_counter() - started


def _prepare_template() -> None:
    _admin(f'DROP DATABASE IF EXISTS "{TEMPLATE}" WITH (FORCE)')
    _admin(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{DATABASE}"')
    _run("init", "--demo")
    _admin(f'ALTER DATABASE "{DATABASE}" RENAME TO "{TEMPLATE}"')


def _percentiles(action: Callable[[], object], runs: int) -> tuple[float, float]:
    action()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p99 = times[min(len(times) - 1, round(len(times) * 0.99) - 1)]
    return statistics.median(times), p99


def _two_workers(*args: str) -> float:
    """Wall time of two processes each sweeping half (`--part 1 2`, `--part 2 2`)."""
    started = time.perf_counter()
    workers = [_contractdesk(*args, "--part", str(i), "2") for i in (1, 2)]
    if any(w.wait() for w in workers):
        raise SystemExit(f"contractdesk {' '.join(args)} failed")
    return time.perf_counter() - started


def measure(size: int, runs: int, report: Report, goals: list[Goal]) -> None:
    _admin(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{DATABASE}" TEMPLATE "{TEMPLATE}"')
    counts = ("--customers", str(max(50, size // 50)), "--licences", str(size // 10))
    seeded = _run("seed", *counts, "--documents", str(size))
    os.environ.update(_environment())
    runtime = runtime_for(Settings())
    try:
        _measure_seeded(runtime, size, seeded, runs, report, goals)
    finally:
        runtime.close()
        _admin(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


def _measure_seeded(runtime, size, seeded, runs, report, goals) -> None:  # type: ignore[no-untyped-def]
    session = runtime.session_factory()
    matrix = runtime.settings.approval_matrix
    manager = session.scalars(select(User).where(User.role == "manager")).first()
    client = session.scalars(select(Account).order_by(Account.crm_id).offset(7)).first()
    word = client.name.rsplit(" ", 1)[-1]  # "00007": the customers numbered ...00007
    deep = list_documents(session, DocumentFilter(), limit=PAGE * 20, cursor=None)
    deep_cursor = deep.next_cursor
    queries: dict[str, Callable[[], object]] = {
        "list, first page": lambda: list_documents(
            session, DocumentFilter(), limit=PAGE, cursor=None
        ),
        "list, page 21 (cursor)": lambda: list_documents(
            session, DocumentFilter(), limit=PAGE, cursor=deep_cursor
        ),
        "by customer (account id)": lambda: list_documents(
            session, DocumentFilter(account_id=client.id), limit=PAGE, cursor=None
        ),
        "by customer (CRM id)": lambda: list_documents(
            session, DocumentFilter(account_crm_id=client.crm_id), limit=PAGE, cursor=None
        ),
        "by reference (external ref)": lambda: list_documents(
            session, DocumentFilter(external_ref=f"OPP-{size // 2:08d}"), limit=PAGE, cursor=None
        ),
        "by status (sent)": lambda: list_documents(
            session, DocumentFilter(status="sent"), limit=PAGE, cursor=None
        ),
        "search customer name (rare)": lambda: list_documents(
            session, DocumentFilter(search=word), limit=PAGE, cursor=None
        ),
        "search customer name (common)": lambda: list_documents(
            session, DocumentFilter(search="university"), limit=PAGE, cursor=None
        ),
        "search number part": lambda: list_documents(
            session, DocumentFilter(search=f"S{size // 3:08d}"[:8]), limit=PAGE, cursor=None
        ),
        "approval queue (manager), page": lambda: queue_page(session, manager, matrix),
        "approval count (home page)": lambda: waiting_count(session, manager, matrix),
        "renewal report": lambda: renewal_pipeline(session, matrix),
        "order to bill, one year": lambda: order_to_bill(session, datetime.now(UTC).year - 1),
    }
    with psycopg.connect(_url(DATABASE).replace("+psycopg", "")) as raw:
        floor_list, _ = _percentiles(
            lambda: raw.execute(
                "SELECT * FROM document ORDER BY created_at DESC, id DESC LIMIT %s", (PAGE + 1,)
            ).fetchall(),
            runs,
        )
        floor_count, _ = _percentiles(
            lambda: raw.execute("SELECT count(*) FROM document").fetchall(), 5
        )
    report.print(f"{size:,} documents (seeded in {seeded:.0f} s):")
    report.print(f"  floor: first page's SQL, psycopg alone  p50 {floor_list:8.1f} ms")
    report.print(f"  floor: SELECT count(*) FROM document    p50 {floor_count:8.1f} ms")
    for name, action in queries.items():
        many = runs if name.startswith(("list", "by", "search")) else max(5, runs // 10)
        p50, p99 = _percentiles(action, many)
        session.rollback()
        report.print(
            f"  {name:32} p50 {p50:8.1f} ms  p99 {p99:8.1f} ms  "
            f"p50 / page floor {p50 / floor_list:7.1f}"
        )
        bound = YEAR_BOUND_S * 1000 if "order" in name else None
        bound = bound or (
            QUEUE_BOUND_MS if "approval" in name or "renewal" in name else LIST_BOUND_MS
        )
        if size >= 1_000_000:
            goals.append(Goal(f"{name} p99 < {bound} ms at 1M", f"{p99:.1f} ms", p99 < bound))
    session.close()
    _sweeps(runtime, size, report, goals)


def _sweeps(runtime, size, report, goals) -> None:  # type: ignore[no-untyped-def]
    for attempt in ("first", "again"):
        renewals = _two_workers("renewals", "sweep")
        invoices = _run("invoices", "sweep")
        started = time.perf_counter()
        validity.expire_quotes(runtime.unit_of_work())
        expiries = time.perf_counter() - started
        report.print(
            f"  sweeps ({attempt}): renewals + reminders on two workers {renewals:6.1f} s, "
            f"invoices due {invoices:6.1f} s, quote expiries {expiries:6.2f} s"
        )
        if size >= 1_000_000 and attempt == "first":
            goals.append(
                Goal(
                    f"renewals sweep, {size // 10:,} licences, two workers < {SWEEP_BOUND_S} s",
                    f"{renewals:.1f} s",
                    renewals < SWEEP_BOUND_S,
                )
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    FOLDER.mkdir(parents=True, exist_ok=True)
    report = Report("bench.scale")
    load = os.getloadavg()[0]
    report.print(f"load average before the run: {load:.1f} on {os.cpu_count()} cores")
    goals: list[Goal] = []
    _prepare_template()
    try:
        for size in args.sizes:
            measure(size, args.runs, report, goals)
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{TEMPLATE}" WITH (FORCE)')
    report.print(f"load average after the run: {os.getloadavg()[0]:.1f}")
    report.write(goals)


if __name__ == "__main__":
    main()
