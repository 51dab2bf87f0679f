"""Time to create one document through the API with `Prefer: wait` (record, queue the
render job, render and store it on the job runner, and answer the finished document once
the waiting request sees it ready) against the raw library floor measured in the same
run: WeasyPrint + docxtpl rendering the same HTML and DOCX with the same context, nothing
else. Two documents: a two-page quote and a licence agreement of 20 pages (its schedule
lists 385 titles).

    make bench        (or: .venv/bin/python -m bench.create_document --runs 15)
"""

from __future__ import annotations

import argparse
import copy
import io
import json
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate
from flask.testing import FlaskClient
from pypdf import PdfReader
from stdnum import issn
from weasyprint import HTML

from app import create_app, demo, migrate
from app.accounts.models import Account
from app.assembly.sandbox import sandbox
from app.config import Settings
from app.documents import assembling
from app.library.shipped import load_shipped_library
from app.library.templates import package_for, published_version
from app.runtime import Runtime
from app.signing.pdf_signature import ensure_service_certificate
from app.uow import UnitOfWork
from app.users import services as users
from bench.results import Goal, Report

QUOTE_LINES = [
    {"sku": "JNL-PHYS", "quantity": 1, "discount_percent": "5"},
    {"sku": "EBK-STM-2026", "quantity": 2},
    {"sku": "SVC-ANALYTICS", "quantity": 1},
    {"description": "On-site training day", "unit_price": "950.00", "quantity": 1},
]
PREFER_WAIT = {"Prefer": "wait=120"}
"""A CRM button's request: it waits for the finished document (RFC 7240)."""
SUBJECTS = ("Physics", "Chemistry", "Engineering", "Mathematics", "Life Sciences")


def _issn(n: int) -> str:
    digits = f"{2000000 + n * 7919:07d}"[-7:]
    return str(issn.format(digits + issn.calc_check_digit(digits)))


def licence_body(account: str, titles: int) -> dict[str, Any]:
    sample_file = Path("contract_templates/licence-agreement/sample.json")
    data = json.loads(sample_file.read_text())
    data["account"] = account
    data["titles"] = [
        {
            "title": f"Journal of Benchmark Studies, Series {n}",
            "issn": _issn(n),
            "eissn": _issn(n + 50_000),
            "subject": SUBJECTS[n % len(SUBJECTS)],
            "price": f"{900 + n % 700}.00",
        }
        for n in range(1, titles + 1)
    ]
    return {"template": "licence-agreement", "data": data}


def _timed_in_turn(actions: list[Callable[[], object]], runs: int) -> list[list[float]]:
    """Each action's times over `runs` rounds, the actions taking turns within a round so
    that a slower or faster spell of the machine weighs on all of them alike; each is run
    once first (fonts, template compilation, first connections)."""
    for action in actions:
        action()
    times: list[list[float]] = [[] for _ in actions]
    for _ in range(runs):
        for action, taken in zip(actions, times, strict=True):
            started = time.perf_counter()
            action()
            taken.append(time.perf_counter() - started)
    return times


def measure(
    client: FlaskClient, headers: dict[str, str], body: dict[str, Any], uow: UnitOfWork, runs: int
) -> tuple[float, float, int]:
    """Median seconds through the API and for the raw render, and the PDF's page count."""
    created: list[str] = []

    def through_api() -> None:
        answer = client.post(
            "/api/v1/documents", json=copy.deepcopy(body), headers={**headers, **PREFER_WAIT}
        )
        assert answer.status_code == 201, answer.json
        assert answer.headers["Preference-Applied"] == PREFER_WAIT["Prefer"]
        created.append(answer.json["id"])

    through_api()
    document_id = uuid.UUID(created[-1])
    context = assembling.assemble_stored(uow, document_id).context
    with uow:
        version = published_version(uow.session, body["template"])
        package = package_for(version, uow.settings.template_cache_dir)
    html_template = sandbox().from_string((package.path / package.html).read_text())
    pdf = b""

    def raw_floor() -> None:
        nonlocal pdf
        html = html_template.render(**context)
        pdf = HTML(string=html, base_url=package.path.as_uri() + "/").write_pdf() or b""
        template = DocxTemplate(package.path / package.docx)
        template.render(context, autoescape=True)
        template.save(io.BytesIO())

    api_times, floor_times = _timed_in_turn([through_api, raw_floor], runs)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    return statistics.median(api_times), statistics.median(floor_times), pages


@dataclass(frozen=True)
class Desk:
    """The app on a fresh SQLite database with the demo data, and a seller's API key."""

    client: FlaskClient
    headers: dict[str, str]
    uow: UnitOfWork
    accounts: dict[str, str]
    """Demo account ids by country."""


@contextmanager
def desk() -> Iterator[Desk]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        settings = Settings(
            database_url=f"sqlite:///{root / 'bench.db'}",
            storage_dir=root / "storage",
            instance_dir=root / "instance",
        )
        migrate.upgrade(settings.database_url)
        ensure_service_certificate(
            settings.signing_cert_path, settings.signing_key_path, common_name="Bench"
        )
        app = create_app(settings)
        runtime: Runtime = app.extensions["contractdesk"]
        uow = runtime.unit_of_work()
        with uow:
            load_shipped_library(uow, check=False)
            demo.seed(uow.session)
            accounts = {a.country: str(a.id) for a in uow.session.query(Account)}
            _, key = users.create_api_key(
                uow.session, user=users.user_by_email(uow.session, "support@example.com"), name="b"
            )
            uow.commit()
        try:
            yield Desk(app.test_client(), {"Authorization": f"Bearer {key}"}, uow, accounts)
        finally:
            runtime.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--titles", type=int, default=385, help="titles in the licence")
    args = parser.parse_args()

    with desk() as d:
        quote = {
            "template": "quote",
            "data": {"account": d.accounts["GB"], "currency": "GBP", "lines": QUOTE_LINES},
        }
        results = {
            "quote": measure(d.client, d.headers, quote, d.uow, args.runs),
            "licence agreement": measure(
                d.client, d.headers, licence_body(d.accounts["NL"], args.titles), d.uow, args.runs
            ),
        }

    report = Report("bench.create_document")
    report.print(
        f"runs: {args.runs} each, taking turns, medians; API = create with Prefer: wait "
        "(record, render job, store, answer when ready), floor = raw render"
    )
    for name, (api, floor, pages) in results.items():
        report.print(
            f"{name:<18} {pages:3d} pages  API {api * 1000:8.1f} ms  "
            f"floor {floor * 1000:8.1f} ms  ratio {api / floor:.2f}"
        )
    report.write(
        [
            Goal(
                f"{name}: API create with Prefer: wait / raw render ≤ 1.15",
                f"{api / floor:.2f}",
                api / floor <= 1.15,
            )
            for name, (api, floor, _) in results.items()
        ]
    )


if __name__ == "__main__":
    main()
