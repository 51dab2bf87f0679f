"""Test apps are built through the factory against real parts: PostgreSQL on 127.0.0.1
(a database per run, created and dropped here), a storage folder per test, and a real
HTTP server standing in for the customer's ERP."""

from __future__ import annotations

import json
import os
import re
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis
from apiflask import APIFlask
from flask.testing import FlaskClient
from sqlalchemy import func, select, text

from app import create_app, demo, migrate
from app.config import Settings
from app.library.shipped import load_shipped_library
from app.models import Base
from app.runtime import Runtime
from app.signing.local_ca import ensure_local_pki
from app.users import services as users
from tests.support.docusign_emulator import DocuSignEmulator, make_test_ca
from tests.support.seaweedfs import SeaweedFS, s3_environment

ADMIN_URL = os.environ.get(
    "CONTRACTDESK_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)


REDIS_URL = os.environ.get("CONTRACTDESK_TEST_REDIS", "redis://127.0.0.1:6379/0")
PASSWORD = "quiet-otter-ledger-4817"
"""Every demo user's password in the tests (the demo itself makes one per user)."""


def missing_service(message: str) -> None:
    """A service the suite needs is not there: a failure on CI, a skip on a laptop."""
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def redis_url() -> str:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        missing_service(f"Redis is not reachable at {REDIS_URL}: {exc}")
    return REDIS_URL


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this run, migrated with Alembic, dropped after."""
    name = f"contractdesk_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        message = f"PostgreSQL is not reachable at {ADMIN_URL}: {exc}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    url = f"{base}/{name}"
    migrate.upgrade(url)
    yield url
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def seaweedfs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedFS]:
    """One SeaweedFS S3 server for the run; each test takes a bucket of its own."""
    server = SeaweedFS(tmp_path_factory.mktemp("seaweedfs") / "data")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def s3_env(seaweedfs: SeaweedFS, monkeypatch: pytest.MonkeyPatch) -> SeaweedFS:
    """boto3 takes credentials and region from the environment, as in production."""
    for name, value in s3_environment(seaweedfs).items():
        monkeypatch.setenv(name, value)
    return seaweedfs


@pytest.fixture(scope="session")
def instance_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The service's signing certificate, made once per run as `contractdesk init` would."""
    folder = tmp_path_factory.mktemp("instance")
    ensure_local_pki(folder, organisation="Test Publisher")
    return folder


def make_settings(database_url: str, tmp_path: Path, instance_dir: Path, **extra: Any) -> Settings:
    defaults: dict[str, Any] = {
        "public_url": "http://localhost",
        "secret_key": "test-secret-key-for-page-sessions",
        "seller_name": "Test Publisher",
        "outbound_allow": "127.0.0.1/32",  # the local receivers and the DocuSign emulator
        "two_factor": "optional",  # tests of the second factor ask for it
    }
    return Settings(
        database_url=database_url,
        storage_dir=tmp_path / "storage",
        instance_dir=instance_dir,
        **{**defaults, **extra},
    )


def _truncate_all(runtime: Runtime) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with runtime.engine.begin() as connection:
        if runtime.engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(Base.metadata.sorted_tables):
                connection.execute(table.delete())


def build_app(settings: Settings) -> APIFlask:
    """An app with the shipped library and the demo data, as `contractdesk init --demo`."""
    app = create_app(settings)
    runtime: Runtime = app.extensions["contractdesk"]
    _truncate_all(runtime)
    uow = runtime.unit_of_work()
    with uow:
        load_shipped_library(uow, check=False)
        demo.seed(uow.session, password=PASSWORD)
        uow.commit()
    return app


@pytest.fixture
def settings(postgres_url: str, tmp_path: Path, instance_dir: Path) -> Settings:
    return make_settings(postgres_url, tmp_path, instance_dir)


@pytest.fixture
def app(settings: Settings) -> Iterator[APIFlask]:
    app = build_app(settings)
    yield app
    app.extensions["contractdesk"].close()


@pytest.fixture
def runtime(app: APIFlask) -> Runtime:
    return app.extensions["contractdesk"]


@pytest.fixture
def client(app: APIFlask) -> FlaskClient:
    return app.test_client()


def api_key(app: APIFlask, email: str) -> str:
    runtime: Runtime = app.extensions["contractdesk"]
    uow = runtime.unit_of_work()
    with uow:
        user = users.user_by_email(uow.session, email)
        _, key = users.create_api_key(uow.session, user=user, name="test")
        uow.commit()
    return key


WAIT = {"Prefer": "wait=120"}
"""For a test that needs the finished document: create, revise and regenerate answer 202
while it renders unless the caller prefers to wait (RFC 7240)."""


def bearer(app: APIFlask, email: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key(app, email)}"}


def row_counts(runtime: Runtime) -> dict[str, int]:
    """Rows in every table and objects in the store: what a rejected request must not change."""
    uow = runtime.unit_of_work()
    with uow:
        counts = {
            table.name: uow.session.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
        }
    root = runtime.settings.storage_dir
    counts["stored objects"] = (
        # the .eml files of the embedded default's mail (mail/) are not stored objects
        sum(1 for p in root.rglob("*") if p.is_file() and p.relative_to(root).parts[0] != "mail")
        if root.exists()
        else 0
    )
    return counts


def account_id(runtime: Runtime, name_start: str) -> str:
    from app.accounts.models import Account

    uow = runtime.unit_of_work()
    with uow:
        account = uow.session.scalar(select(Account).where(Account.name.startswith(name_start)))
        assert account is not None
        return str(account.id)


def csrf_token(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "the page has no CSRF token"
    return match.group(1)


@dataclass
class ReceivedWebhook:
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class WebhookReceiver:
    """A real HTTP server standing in for a customer's ERP. `answers` are the status codes
    it gives, in order (the last one repeats); `stall_first` holds the first answer back
    that many seconds. Like a careful ERP, it books each `webhook-id` once in `ledger`."""

    url: str
    received: list[ReceivedWebhook] = field(default_factory=list)
    answers: list[int] = field(default_factory=lambda: [200])
    stall_first: float = 0
    ledger: dict[str, Any] = field(default_factory=dict)

    def wait_for(self, count: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while len(self.received) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"received {len(self.received)} webhooks, wanted {count}")
            time.sleep(0.1)


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            receiver.received.append(ReceivedWebhook(dict(self.headers.items()), body))
            if len(receiver.received) == 1 and receiver.stall_first:
                time.sleep(receiver.stall_first)
            status = receiver.answers.pop(0) if len(receiver.answers) > 1 else receiver.answers[0]
            if status < 300:
                receiver.ledger.setdefault(self.headers["webhook-id"], json.loads(body))
            try:
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok" if status < 300 else b"not now")
            except (BrokenPipeError, ConnectionResetError):
                pass  # the sender gave up (or died) before the answer

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/erp/hooks"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def docusign(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DocuSignEmulator]:
    """The DocuSign emulator on HTTPS, with a CA made for this run."""
    ca = make_test_ca(tmp_path_factory.mktemp("docusign-ca"))
    emulator = DocuSignEmulator(ca).start()
    yield emulator
    emulator.stop()


LONGEST_FIRST = (
    "tests/browser/test_every_page.py",
    "tests/browser/test_journeys.py",
    "tests/signing/test_signature_blocks.py",
    "tests/web/test_api_fuzz.py",
    "tests/test_cli.py",
    "tests/documents/test_reproducible.py",
)
"""The files that take longest: `make test` gives each file to one of two processes, in the
order collected, so these start first and the short ones fill in around them, and no
process is left finishing a long file alone at the end."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        path = item.nodeid.split("::", 1)[0]
        return LONGEST_FIRST.index(path) if path in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: the order within each file and among the rest stays
