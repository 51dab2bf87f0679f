"""Time to create one quote through the API (assemble, render, store, record) against the
raw library floor measured in the same run: WeasyPrint + docxtpl rendering the same
HTML and DOCX with the same context, nothing else.

    make bench        (or: .venv/bin/python -m bench.create_quote --runs 15)
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from docxtpl import DocxTemplate
from weasyprint import HTML

from app import create_app, demo, migrate
from app.accounts.models import Account
from app.assembly.sandbox import sandbox
from app.config import Settings
from app.documents import services as documents
from app.documents.models import Document
from app.library.shipped import load_shipped_library
from app.library.template_packages import read_template_package
from app.runtime import Runtime
from app.signing.pdf_signature import ensure_service_certificate
from app.users import services as users

REQUEST_LINES = [
    {"sku": "JNL-PHYS", "quantity": 1, "discount_percent": "5"},
    {"sku": "EBK-STM-2026", "quantity": 2},
    {"sku": "SVC-ANALYTICS", "quantity": 1},
    {"description": "On-site training day", "unit_price": "950.00", "quantity": 1},
]


def _timed(action: Callable[[], object], runs: int) -> list[float]:
    action()  # warm-up: fonts, template compilation, first connections
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

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
            load_shipped_library(uow)
            demo.seed(uow.session)
            account = uow.session.query(Account).filter(Account.country == "GB").one()
            _, key = users.create_api_key(
                uow.session, user=users.user_by_email(uow.session, "support@example.com"), name="b"
            )
            uow.commit()
        client = app.test_client()
        body = {
            "template": "quote",
            "data": {"account": str(account.id), "currency": "GBP", "lines": REQUEST_LINES},
        }
        headers = {"Authorization": f"Bearer {key}"}

        def through_api() -> None:
            answer = client.post("/api/v1/documents", json=body, headers=headers)
            assert answer.status_code == 201, answer.json

        through_api()
        with uow:
            document_id = uow.session.query(Document.id).limit(1).scalar()
        context = documents.assemble_stored(uow, document_id).context
        package = read_template_package(settings.templates_dir / "quote")
        html_template = sandbox().from_string((package.path / package.html).read_text())

        def raw_floor() -> None:
            html = html_template.render(**context)
            HTML(string=html, base_url=package.path.as_uri() + "/").write_pdf()
            template = DocxTemplate(package.path / package.docx)
            template.render(context, autoescape=True)
            template.save(io.BytesIO())

        api_times = _timed(through_api, args.runs)
        floor_times = _timed(raw_floor, args.runs)
        runtime.close()

    api, floor = statistics.median(api_times), statistics.median(floor_times)
    print(f"runs: {args.runs} each, medians")
    print(f"create one quote through the API (render + store): {api * 1000:8.1f} ms")
    print(f"raw WeasyPrint + docxtpl render of the same quote:  {floor * 1000:8.1f} ms")
    print(f"ratio API / floor: {api / floor:.2f}")


if __name__ == "__main__":
    main()
