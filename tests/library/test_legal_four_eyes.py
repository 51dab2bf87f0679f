"""Two people for legal content: a template package or a clause version goes live only
after a second legal user, neither its author nor its uploader, approves it."""

from __future__ import annotations

import shutil
from pathlib import Path

from apiflask import APIFlask
from sqlalchemy import select

from app.audit.models import AuditEvent
from tests.conftest import bearer, row_counts
from tests.library.test_templates import SHIPPED, _upload, _zip


def _refusals(app: APIFlask) -> list[AuditEvent]:
    uow = app.extensions["contractdesk"].unit_of_work()
    with uow:
        return list(
            uow.session.scalars(select(AuditEvent).where(AuditEvent.tag == "library.refused"))
        )


def test_the_uploader_cannot_publish_a_template_package(app: APIFlask, tmp_path: Path) -> None:
    client = app.test_client()
    lee, robin = bearer(app, "legal@example.com"), bearer(app, "legal2@example.com")
    admin = bearer(app, "admin@example.com")
    folder = tmp_path / "quote"
    shutil.copytree(SHIPPED / "quote", folder)
    manifest = folder / "template.yaml"
    manifest.write_text(manifest.read_text().replace("    title: Quote\n", "    title: Offer\n"))
    uploaded = _upload(client, lee, _zip(folder)).json

    before = row_counts(app.extensions["contractdesk"])
    own = client.post(f"/api/v1/template-versions/{uploaded['id']}/publish", headers=lee)
    assert own.status_code == 403 and own.json["rule"] == "legal-four-eyes"
    by_admin = client.post(f"/api/v1/template-versions/{uploaded['id']}/publish", headers=admin)
    assert by_admin.status_code == 403 and by_admin.json["rule"] == "legal-four-eyes"
    after = row_counts(app.extensions["contractdesk"])
    assert {k for k in after if after[k] != before[k]} <= {"audit_event", "counter"}
    assert [e.data["rule"] for e in _refusals(app)] == ["legal-four-eyes"] * 2

    published = client.post(f"/api/v1/template-versions/{uploaded['id']}/publish", headers=robin)
    assert published.status_code == 200, published.json
    assert published.json["published_by"] == "legal2@example.com"


def test_the_author_cannot_approve_a_clause_version(app: APIFlask) -> None:
    client = app.test_client()
    lee = bearer(app, "legal@example.com")
    draft = client.post(
        "/api/v1/clause-drafts",
        json={
            "key": "payment-terms",
            "language": "en",
            "title": "Invoicing and payment",
            "body": "Invoices are payable within 45 days.",
        },
        headers=lee,
    ).json
    client.post(f"/api/v1/clause-versions/{draft['id']}/submit", headers=lee)
    own = client.post(f"/api/v1/clause-versions/{draft['id']}/approve", json={}, headers=lee)
    assert own.status_code == 403 and own.json["rule"] == "legal-four-eyes"
    assert [e.data["rule"] for e in _refusals(app)] == ["legal-four-eyes"]
