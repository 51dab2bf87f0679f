"""Documents per minute through 1 and through 2 Celery workers (Redis broker, PostgreSQL),
each worker one process: the same quote created N times, two requests in flight per
worker. The rate is the steady one, counted between the completions of the first and of
the last eighth of the documents: while the first are under way the workers have not all
taken one yet, and with the last ones in hand some workers have nothing left to take.
One worker, two, two again and one again (so that a machine getting faster or slower
over the run weighs on both alike), and the mean rate of each.

    .venv/bin/python -m bench.workers --documents 64
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg

from app import demo, migrate
from app.accounts.models import Account
from app.assembly.schemas import QuoteData
from app.config import Settings
from app.documents import creating, render_job
from app.documents.models import READY
from app.entry import runtime_for
from app.library.shipped import load_shipped_library
from app.signing.pdf_signature import ensure_service_certificate
from app.users import services as users
from bench.results import Goal, Report

ADMIN_URL = os.environ.get(
    "CONTRACTDESK_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("CONTRACTDESK_TEST_REDIS", "redis://127.0.0.1:6379/0")
LINES = [
    {"sku": "JNL-PHYS", "quantity": 1, "discount_percent": "5"},
    {"sku": "EBK-STM-2026", "quantity": 2},
    {"sku": "SVC-ANALYTICS", "quantity": 1},
]


def _start_workers(count: int, settings: Settings, log: Path) -> list[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "CELERY_BROKER_URL": str(settings.celery_broker_url),
        "CONTRACTDESK_CELERY_QUEUE": settings.celery_queue,
        "CONTRACTDESK_STORAGE_DIR": str(settings.storage_dir),
        "CONTRACTDESK_INSTANCE_DIR": str(settings.instance_dir),
    }
    with open(log, "ab") as out:
        return [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "app.cli",
                    "worker",
                    "--concurrency",
                    "1",
                    "--without-gossip",
                    "--without-mingle",
                    "-n",
                    f"bench{i}@%h",
                ],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            for i in range(count)
        ]


def _stop(workers: list[subprocess.Popen[bytes]]) -> None:
    for worker in workers:
        os.killpg(worker.pid, signal.SIGTERM)
    for worker in workers:
        worker.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=64)
    args = parser.parse_args()
    name = f"contractdesk_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(
                database_url=f"{base}/{name}",
                storage_dir=Path(tmp) / "storage",
                instance_dir=Path(tmp) / "instance",
                celery_broker_url=REDIS_URL,
                celery_queue=f"bench-{uuid.uuid4().hex[:8]}",
                render_timeout_seconds=600,
            )
            migrate.upgrade(settings.database_url)
            ensure_service_certificate(
                settings.signing_cert_path, settings.signing_key_path, common_name="Bench"
            )
            runtime = runtime_for(settings)
            uow = runtime.unit_of_work()
            with uow:
                load_shipped_library(uow)
                demo.seed(uow.session)
                uow.commit()
            with uow:
                account = uow.session.query(Account).filter(Account.country == "GB").one()
                actor = users.user_by_email(uow.session, "support@example.com")
            data = QuoteData.model_validate(
                {"account": str(account.id), "currency": "GBP", "lines": LINES}
            )

            def create(_: object = None) -> float:
                """When the document was done: recorded, and rendered by a worker."""
                document_id = creating.create_document(
                    runtime.unit_of_work(),
                    template="quote",
                    data=data,
                    external_ref=None,
                    actor=actor,
                )
                status = render_job.wait_until_settled(runtime.unit_of_work(), document_id, 120)
                assert status == READY, status
                return time.perf_counter()

            rates: dict[int, list[float]] = {1: [], 2: []}
            report = Report("bench.workers")
            for count in (1, 2, 2, 1):
                workers = _start_workers(count, settings, Path(tmp) / "workers.log")
                try:
                    with ThreadPoolExecutor(count) as pool:  # warm every worker up
                        list(pool.map(create, range(count * 2)))
                    started = time.perf_counter()
                    with ThreadPoolExecutor(count * 2) as pool:
                        done = sorted(pool.map(create, range(args.documents)))
                    elapsed = time.perf_counter() - started
                finally:
                    _stop(workers)
                edge = args.documents // 8
                steady = (args.documents - 2 * edge - 1) / (done[-edge - 1] - done[edge]) * 60
                rates[count].append(steady)
                report.print(
                    f"{count} worker(s): {args.documents} documents in {elapsed:5.1f} s, "
                    f"{args.documents / elapsed * 60:6.1f} documents/minute; "
                    f"steady {steady:6.1f} documents/minute"
                )
            runtime.close()
        ratio = statistics.mean(rates[2]) / statistics.mean(rates[1])
        report.print(f"ratio 2 workers / 1 worker, mean steady rates: {ratio:.2f}")
        report.write(
            [Goal("documents/minute, 2 workers / 1 worker ≥ 1.8", f"{ratio:.2f}", ratio >= 1.8)]
        )
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
