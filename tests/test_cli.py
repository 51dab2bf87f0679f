"""`contractdesk` on the embedded default, as an operator runs it: each command at least
once as a real subprocess; its further cases in the test's process (`invoke`)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from app import create_app
from app.catalogue.models import Product
from app.config import PROJECT_ROOT, Settings
from app.library.clause_files import read_clause_file
from app.library.template_packages import package_folders
from app.users.models import User
from tests.conftest import WAIT, account_id, csrf_token
from tests.support.cli import invoke
from tests.support.flows import quote_request
from tests.support.ports import free_port

CLI = [sys.executable, "-m", "app.cli"]
pytestmark = pytest.mark.timeout(600)
"""The first test of the file also pays for the desk: `init` renders every shipped sample."""


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def desk_env(folder: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'desk.db'}",
        "CONTRACTDESK_STORAGE_DIR": str(folder / "storage"),
        "CONTRACTDESK_INSTANCE_DIR": str(folder / "instance"),
    }


def counts(env: dict[str, str], folder: Path) -> tuple[int, int, int]:
    """Users and products in the desk's database, and the status of its /readyz."""
    settings = Settings(
        database_url=env["DATABASE_URL"],
        storage_dir=folder / "storage",
        instance_dir=folder / "instance",
    )
    app = create_app(settings)
    try:
        uow = app.extensions["contractdesk"].unit_of_work()
        with uow:
            return (
                uow.session.scalar(select(func.count()).select_from(User)) or 0,
                uow.session.scalar(select(func.count()).select_from(Product)) or 0,
                app.test_client().get("/readyz").status_code,
            )
    finally:
        app.extensions["contractdesk"].close()


def desk_account(env: dict[str, str]) -> str:
    """The id of the desk's demo customer in China."""
    settings = Settings(
        database_url=env["DATABASE_URL"],
        storage_dir=Path(env["CONTRACTDESK_STORAGE_DIR"]),
        instance_dir=Path(env["CONTRACTDESK_INSTANCE_DIR"]),
    )
    app = create_app(settings)
    try:
        return account_id(app.extensions["contractdesk"], "Huaxin")
    finally:
        app.extensions["contractdesk"].close()


@dataclass(frozen=True)
class Initialised:
    """A desk as `contractdesk init` leaves it, then `init --demo` on the same folder: the
    shipped library is checked (each sample rendered) once for the whole file."""

    folder: Path
    plain: subprocess.CompletedProcess[str]
    plain_counts: tuple[int, int, int]
    demo: subprocess.CompletedProcess[str]


@pytest.fixture(scope="module")
def initialised(tmp_path_factory: pytest.TempPathFactory) -> Initialised:
    folder = tmp_path_factory.mktemp("desk")
    env = desk_env(folder)
    plain = run(env, "init")
    assert plain.returncode == 0, plain.stderr
    plain_counts = counts(env, folder)
    demo = run(env, "init", "--demo")
    assert demo.returncode == 0, demo.stderr
    return Initialised(folder, plain, plain_counts, demo)


@pytest.fixture
def desk(initialised: Initialised, tmp_path: Path) -> dict[str, str]:
    """A copy of the initialised desk of this test's own, with its environment."""
    shutil.copytree(initialised.folder, tmp_path, dirs_exist_ok=True)
    return desk_env(tmp_path)


def test_init_demo_then_users_and_keys_work_against_the_same_database(
    initialised: Initialised, desk: dict[str, str], tmp_path: Path
) -> None:
    env = desk
    first = initialised.demo
    assert "0 clause versions and 0 template versions added" in first.stdout
    assert "demo data added" in first.stdout
    assert "support@example.com" in first.stdout and "manager@example.com" in first.stdout
    printed = dict(
        line.split()[1:3] for line in first.stdout.splitlines() if "@example.com " in line
    )
    assert len(printed) == 9 and len(set(printed.values())) == 9  # one password each
    assert "contractdesk-demo" not in first.stdout
    assert "cd_" in first.stdout

    second = invoke(env, "init", "--demo")
    assert second.returncode == 0, second.stderr
    assert "0 clause versions and 0 template versions added" in second.stdout
    assert "demo data was there already" in second.stdout
    assert not any(password in second.stdout for password in printed.values())  # shown once

    made = run(
        env,
        "users",
        "create",
        "--email",
        "ops@example.com",
        "--role",
        "support",
        "--password",
        "long-enough-pw",
    )
    assert made.returncode == 0, made.stderr
    duplicate = invoke(
        env,
        "users",
        "create",
        "--email",
        "ops@example.com",
        "--role",
        "support",
        "--password",
        "long-enough-pw",
    )
    assert duplicate.returncode != 0 and "exists already" in duplicate.stderr
    bad_role = invoke(
        env,
        "users",
        "create",
        "--email",
        "x@example.com",
        "--role",
        "king",
        "--password",
        "long-enough-pw",
    )
    assert bad_role.returncode != 0 and "unknown role" in bad_role.stderr
    weak = invoke(
        env,
        "users",
        "create",
        "--email",
        "w@example.com",
        "--role",
        "support",
        "--password",
        "password",
    )
    assert weak.returncode != 0 and "at least 12 characters" in weak.stderr
    weak = invoke(
        env, "users", "set-password", "--email", "ops@example.com", "--password", "Password1234"
    )
    assert weak.returncode != 0 and "too easy to guess" in weak.stderr
    changed = run(
        env,
        "users",
        "set-password",
        "--email",
        "ops@example.com",
        "--password",
        "amber-walrus-maps",
    )
    assert changed.returncode == 0, changed.stderr
    promoted = run(env, "users", "set-role", "--email", "support2@example.com", "--role", "manager")
    assert promoted.returncode == 0 and "now manager" in promoted.stdout

    keyed = run(env, "apikey", "create", "--user", "ops@example.com", "--name", "CRM button")
    assert keyed.returncode == 0, keyed.stderr
    key = keyed.stdout.strip().splitlines()[-1]
    assert key.startswith("cd_")

    settings = Settings(
        database_url=env["DATABASE_URL"],
        storage_dir=tmp_path / "storage",
        instance_dir=tmp_path / "instance",
    )
    app = create_app(settings)
    try:
        runtime = app.extensions["contractdesk"]
        answer = app.test_client().post(
            "/api/v1/documents",
            json=quote_request(account_id(runtime, "Huaxin")),
            headers={**{"Authorization": f"Bearer {key}"}, **WAIT},
        )
        assert answer.status_code == 201, answer.json

        reader = invoke(
            env,
            "apikey",
            "create",
            "--user",
            "ops@example.com",
            "--name",
            "BI",
            "--scope",
            "documents:read",
        )
        assert reader.returncode == 0, reader.stderr
        assert "scopes documents:read" in reader.stderr
        read_only = {"Authorization": f"Bearer {reader.stdout.strip().splitlines()[-1]}"}
        client = app.test_client()
        assert client.get("/api/v1/products", headers=read_only).status_code == 200
        refused = client.post(
            "/api/v1/documents",
            json=quote_request(account_id(runtime, "Huaxin")),
            headers={**read_only, **WAIT},
        )
        assert refused.status_code == 403

        listed = run(env, "apikey", "list")
        line = next(row for row in listed.stdout.splitlines() if "'BI'" in row)
        assert "[documents:read]" in line and "last used 20" in line and "live" in line
        revoked = run(env, "apikey", "revoke", line.split()[0])
        assert revoked.returncode == 0, revoked.stderr
        assert client.get("/api/v1/products", headers=read_only).status_code == 401

        good = quote_request(account_id(runtime, "Huaxin"))
        bad = {**good, "data": {**good["data"], "currency": "XXX1"}}
        requests = tmp_path / "renewals.jsonl"
        requests.write_text("\n".join(json.dumps(r) for r in (good, good, bad)))
        bulk = run(env, "bulk", str(requests), "--user", "ops@example.com")
        assert bulk.returncode == 1, bulk.stderr
        assert "2 made, 1 failed" in bulk.stdout
        assert "row 3: the data does not fit a quote" in bulk.stdout
        assert "/data/currency" in bulk.stdout
    finally:
        app.extensions["contractdesk"].close()


def test_init_without_demo_sets_up_an_empty_service(initialised: Initialised) -> None:
    result = initialised.plain
    variants = sum(
        len(read_clause_file(path).variants) for path in (PROJECT_ROOT / "clauses").glob("*.md")
    )
    packages = len(package_folders(PROJECT_ROOT / "contract_templates"))
    assert f"{variants} clause versions and {packages} template versions added" in result.stdout
    assert "Demo" not in result.stdout
    assert initialised.plain_counts == (0, 0, 200)  # no users, no products; ready
    assert (initialised.folder / "instance" / "signing-cert.pem").exists()


def test_db_upgrade_makes_the_schema(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}"}
    result = run(env, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    assert "database is up to date" in result.stdout
    again = invoke(env, "db", "upgrade")
    assert again.returncode == 0


def test_a_production_database_needs_a_real_secret_key(postgres_url: str) -> None:
    with pytest.raises(RuntimeError, match="CONTRACTDESK_SECRET_KEY"):
        create_app(Settings(database_url=postgres_url, secret_key=""))


def test_finance_imports_the_tax_rates_from_a_csv_file(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'rates.db'}",
        "CONTRACTDESK_STORAGE_DIR": str(tmp_path / "storage"),
        "CONTRACTDESK_INSTANCE_DIR": str(tmp_path / "instance"),
    }
    assert invoke(env, "db", "upgrade").returncode == 0
    header = "country,category,rate_percent,valid_from,valid_to,name\n"
    overlapping = tmp_path / "overlapping.csv"
    overlapping.write_text(
        header + "NL,e-publication,9,2020-01-01,,reduced\nNL,e-publication,11,2027-01-01,,\n"
    )
    refused = invoke(env, "tax-rates", "import", str(overlapping))
    assert refused.returncode != 0
    assert "line 3, valid_from: NL e-publication 11 % from 2027-01-01 overlaps line 2" in (
        refused.stderr
    )
    assert "NL" not in invoke(env, "tax-rates", "list", "--csv").stdout

    table = tmp_path / "rates.csv"
    table.write_text(
        header + "NL,standard,21,2012-10-01,,\nNL,e-publication,9,2020-01-01,,reduced\n"
    )
    imported = run(env, "tax-rates", "import", str(table))
    assert imported.returncode == 0, imported.stderr
    assert "2 rates imported; the table has 2" in imported.stdout

    change = tmp_path / "change.csv"
    change.write_text(header + "NL,e-publication,11,2027-01-01,,reduced\n")
    added = invoke(env, "tax-rates", "import", "--add", str(change))
    assert added.returncode == 0, added.stderr
    listed = run(env, "tax-rates", "list", "--csv").stdout.splitlines()
    assert listed[1:] == [
        "NL,e-publication,9,2020-01-01,2026-12-31,reduced,",
        "NL,e-publication,11,2027-01-01,,reduced,",
        "NL,standard,21,2012-10-01,,,",
    ]
    assert "GB=20" in invoke(env, "tax-rates", "list").stdout


ANSI = re.compile(r"\x1b\[")
DEVELOPMENT_SERVER = "development server"
PROGRESS = re.compile(r"Step \d+ - |Creating layout - Page")
"""WeasyPrint's progress, a line per step and page of each render."""


def test_the_first_serve_listens_with_a_production_server_and_prints_the_way_in(
    initialised: Initialised, desk: dict[str, str]
) -> None:
    port = free_port()
    server = subprocess.Popen(
        [*CLI, "serve", "--port", str(port)],
        env={**desk, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    console: list[str] = []
    assert server.stdout is not None
    reader = threading.Thread(target=lambda: console.extend(server.stdout or ()), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 120
        while not any(line.startswith("Stop with") for line in console):
            assert server.poll() is None and time.monotonic() < deadline, "".join(console)
            time.sleep(0.1)
        banner = "".join(console)
        url = f"http://127.0.0.1:{port}"
        assert f"listening on {url}/" in banner, banner
        printed = dict(line.split()[1:3] for line in banner.splitlines() if "@example.com " in line)
        shown_at_init = dict(
            line.split()[1:3]
            for line in initialised.demo.stdout.splitlines()
            if "@example.com " in line
        )
        assert printed == shown_at_init and len(printed) == 9
        key = re.search(r"^  (cd_\S+)$", banner, re.MULTILINE)
        assert key, banner

        with httpx.Client(base_url=url, timeout=60) as browser:
            login = browser.get("/login")
            assert login.status_code == 200
            signed_in = browser.post(
                "/login",
                data={
                    "csrf_token": csrf_token(login.text),
                    "email": "legal@example.com",
                    "password": printed["legal@example.com"],
                },
            )
            assert signed_in.status_code == 302 and signed_in.headers["location"] == "/"
            assert "Lee Legal" in browser.get("/").text

        api = {"Authorization": f"Bearer {key.group(1)}"}
        assert httpx.get(f"{url}/api/v1/products", headers=api, timeout=60).status_code == 200
        made = httpx.post(
            f"{url}/api/v1/documents",
            json=quote_request(desk_account(desk)),
            headers=api,
            timeout=120,
        )
        assert made.status_code in (201, 202), made.text
    finally:
        server.terminate()
        server.wait(timeout=30)
        reader.join(timeout=10)
    output = "".join(console)
    assert DEVELOPMENT_SERVER not in output.lower()
    assert not ANSI.search(output)
    assert not PROGRESS.search(output), output
    assert not (Path(desk["CONTRACTDESK_INSTANCE_DIR"]) / "first-run.json").exists()
