"""The API under load, as gunicorn serves it in production (2 workers): requests per
second and p50/p99 latency of `POST /api/v1/documents:preview` and
`GET /api/v1/documents/{id}`, from a second process on loopback, against the floor of the
same server answering `/healthz` (Flask, gunicorn and the network, no work). Then the time
from a customer's signature to the ERP receiving `invoice.trigger`.

Two loads: closed (8 connections as fast as they go: throughput) and open (a fixed 50
requests a second, latency measured from when each request was due, so a slow answer
cannot hide the requests queued behind it).

    .venv/bin/python -m bench.api_load [--seconds 8]
"""

from __future__ import annotations

import argparse
import http.server
import json
import multiprocessing
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, ClassVar

import httpx
import psycopg
from sqlalchemy import create_engine, text

from app import demo, migrate
from app.config import PROJECT_ROOT, Settings
from app.entry import runtime_for
from app.library.shipped import load_shipped_library
from app.signing.pdf_signature import ensure_service_certificate
from app.users import services as users
from bench.results import Goal, Report
from tests.support.ports import free_port

ADMIN_URL = os.environ.get(
    "CONTRACTDESK_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)
QUOTE_LINES = [
    {"sku": "JNL-PHYS", "quantity": 1, "discount_percent": "5"},
    {"sku": "EBK-STM-2026", "quantity": 2},
    {"sku": "SVC-ANALYTICS", "quantity": 1},
]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _closed_loop(args: tuple[str, str, dict[str, str], Any, float, int]) -> dict[str, Any]:
    method, url, headers, body, seconds, connections = args
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def run() -> None:
        nonlocal errors
        with httpx.Client(headers=headers, timeout=30) as client:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                answer = client.request(method, url, json=body)
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    errors += answer.status_code >= 400

    threads = [threading.Thread(target=run) for _ in range(connections)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"latencies": latencies, "errors": errors, "elapsed": time.perf_counter() - started}


def _open_loop(args: tuple[str, str, dict[str, str], Any, float, int]) -> dict[str, Any]:
    """Requests sent at a fixed rate, each timed from when it was due. Every sending thread
    opens its connection with one request before the clock starts, so the figures are the
    server's and not the generator's connection set-up."""
    method, url, headers, body, seconds, rate = args
    total = int(seconds * rate)
    latencies: list[float] = [0.0] * total
    failures = [False] * total
    local = threading.local()
    senders = 16
    everyone_connected = threading.Barrier(senders)

    def client() -> httpx.Client:
        if not hasattr(local, "client"):
            local.client = httpx.Client(headers=headers, timeout=30)
        return local.client  # type: ignore[no-any-return]

    def connect(_: int) -> None:
        client().request(method, url, json=body)
        everyone_connected.wait()

    def send(i: int) -> None:
        due = start + i / rate
        pause = due - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        answer = client().request(method, url, json=body)
        latencies[i] = time.perf_counter() - due
        failures[i] = answer.status_code >= 400

    with ThreadPoolExecutor(senders) as pool:
        list(pool.map(connect, range(senders)))
        start = time.perf_counter() + 0.2
        list(pool.map(send, range(total)))
    return {"latencies": latencies, "errors": sum(failures), "elapsed": seconds}


def _in_second_process(fn: Any, args: Any) -> dict[str, Any]:
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return dict(pool.apply(fn, (args,)))


class Receiver(http.server.BaseHTTPRequestHandler):
    """The ERP: notes when each document's invoice.trigger arrives."""

    received: ClassVar[dict[str, float]] = {}

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        event = json.loads(body)
        if event["type"] == "invoice.trigger":
            Receiver.received[event["data"]["document_id"]] = time.perf_counter()
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _setup(base: str, tmp: Path) -> tuple[Settings, str]:
    settings = Settings(
        database_url=base, storage_dir=tmp / "storage", instance_dir=tmp / "instance"
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
        user = users.user_by_email(uow.session, "support@example.com")
        _, key = users.create_api_key(uow.session, user=user, name="bench")
        uow.commit()
    runtime.close()
    return settings, key


def _serve(settings: Settings, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "CONTRACTDESK_STORAGE_DIR": str(settings.storage_dir),
        "CONTRACTDESK_INSTANCE_DIR": str(settings.instance_dir),
        "CONTRACTDESK_SECRET_KEY": "bench-" + uuid.uuid4().hex,
        "CONTRACTDESK_BIND": f"127.0.0.1:{port}",
        "CONTRACTDESK_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "CONTRACTDESK_RATE_LIMIT": "1000000/minute",
        "CONTRACTDESK_LOG_LEVEL": "WARNING",
        "WEB_CONCURRENCY": "2",
    }
    with open(log, "ab") as out:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                str(PROJECT_ROOT / "gunicorn.conf.py"),
                "--access-logfile",
                "/dev/null",
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not start; see {log}")


def _report(
    report: Report, name: str, result: dict[str, Any], floor: dict[str, Any] | None
) -> float:
    """Print a load's figures; answer its p99 in ms."""
    lat = [x * 1000 for x in result["latencies"]]
    rps = len(lat) / result["elapsed"]
    line = (
        f"  {name:34} {rps:8.1f} req/s   p50 {_percentile(lat, 0.50):7.1f} ms   "
        f"p99 {_percentile(lat, 0.99):7.1f} ms   errors {result['errors']}"
    )
    if floor:
        floor_lat = [x * 1000 for x in floor["latencies"]]
        line += f"   p99 / floor {_percentile(lat, 0.99) / _percentile(floor_lat, 0.99):5.2f}"
    report.print(line)
    return _percentile(lat, 0.99)


def _sign(client: httpx.Client, base: str, key: str, account: str) -> tuple[str, float]:
    auth = {"Authorization": f"Bearer {key}"}
    body = {
        "template": "quote",
        "data": {"account": account, "currency": "GBP", "lines": QUOTE_LINES},
    }
    document = client.post(
        f"{base}/api/v1/documents", json=body, headers={**auth, "Prefer": "wait=120"}
    ).json()
    sent = client.post(
        f"{base}/api/v1/documents/{document['id']}/send",
        json={"signers": [{"name": "Helen Marsh", "email": "h@example.org"}]},
        headers=auth,
    ).json()
    link = sent["signers"][0]["signing_url"]
    page = client.get(link).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    started = time.perf_counter()
    signed = client.post(
        link, data={"csrf_token": token.group(1), "typed_name": "Helen Marsh", "consent": "yes"}
    )
    assert signed.status_code == 200, signed.text[:300]
    return str(document["id"]), started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--rate", type=int, default=50)
    parser.add_argument("--signatures", type=int, default=10)
    args = parser.parse_args()
    name = f"contractdesk_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    db = ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    server = None
    try:
        with tempfile.TemporaryDirectory() as folder:
            tmp = Path(folder)
            settings, key = _setup(f"{db}/{name}", tmp)
            port = free_port()
            server = _serve(settings, port, tmp / "gunicorn.log")
            base = f"http://127.0.0.1:{port}"
            auth = {"Authorization": f"Bearer {key}"}
            account = _account_id(settings)
            with httpx.Client(timeout=60) as client:
                quote = {
                    "template": "quote",
                    "data": {"account": account, "currency": "GBP", "lines": QUOTE_LINES},
                }
                made = client.post(
                    f"{base}/api/v1/documents",
                    json=quote,
                    headers={**auth, "Prefer": "wait=120"},
                ).json()
            targets = {
                "GET /healthz (floor)": ("GET", f"{base}/healthz", None),
                "GET /api/v1/documents/{id}": (
                    "GET",
                    f"{base}/api/v1/documents/{made['id']}",
                    None,
                ),
                "POST /api/v1/documents:preview": (
                    "POST",
                    f"{base}/api/v1/documents:preview",
                    quote,
                ),
            }
            report = Report("bench.api_load")
            report.print(
                f"gunicorn, 2 workers x 4 threads, load from a second process, "
                f"{args.seconds:g} s each"
            )
            open_p99: dict[str, float] = {}
            for mode, fn, knob in (
                ("closed loop, 8 connections", _closed_loop, 8),
                (f"open loop, {args.rate} req/s", _open_loop, args.rate),
            ):
                report.print(mode)
                floor = None
                for label, (method, url, body) in targets.items():
                    result = _in_second_process(fn, (method, url, auth, body, args.seconds, knob))
                    open_p99[label] = _report(report, label, result, floor)
                    floor = floor or result

            receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
            threading.Thread(target=receiver.serve_forever, daemon=True).start()
            finance = _finance_key(settings)
            with httpx.Client(timeout=60) as client:
                client.post(
                    f"{base}/api/v1/webhook-endpoints",
                    json={
                        "url": f"http://127.0.0.1:{receiver.server_port}/erp",
                        "events": ["invoice.trigger"],
                    },
                    headers={"Authorization": f"Bearer {finance}"},
                ).raise_for_status()
                delays = []
                for _ in range(args.signatures):
                    document_id, signed_at = _sign(client, base, key, account)
                    deadline = time.perf_counter() + 30
                    while document_id not in Receiver.received:
                        if time.perf_counter() > deadline:
                            raise RuntimeError("invoice.trigger did not arrive")
                        time.sleep(0.005)
                    delays.append((Receiver.received[document_id] - signed_at) * 1000)
            receiver.shutdown()
            report.print(
                f"signature to invoice.trigger received ({args.signatures} quotes): "
                f"median {statistics.median(delays):.0f} ms, max {max(delays):.0f} ms "
                "(includes stamping and PAdES-signing the PDF)"
            )
            report.write(
                [
                    Goal(f"{label}: p99 at {args.rate} req/s ≤ 50 ms", f"{p99:.1f} ms", p99 <= 50)
                    for label, p99 in open_p99.items()
                    if "floor" not in label
                ]
                + [
                    Goal(
                        "signature to invoice.trigger received ≤ 2 s (slowest)",
                        f"{max(delays):.0f} ms",
                        max(delays) <= 2000,
                    )
                ]
            )
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(30)
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _account_id(settings: Settings) -> str:
    engine = create_engine(settings.database_url)
    with engine.connect() as connection:
        account = connection.execute(text("SELECT id FROM account WHERE country = 'GB'"))
        found = str(account.scalar_one())
    engine.dispose()
    return found


def _finance_key(settings: Settings) -> str:
    runtime = runtime_for(settings)
    uow = runtime.unit_of_work()
    with uow:
        user = users.user_by_email(uow.session, "finance@example.com")
        _, key = users.create_api_key(uow.session, user=user, name="bench finance")
        uow.commit()
    runtime.close()
    return key


if __name__ == "__main__":
    main()
