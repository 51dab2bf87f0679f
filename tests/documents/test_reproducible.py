"""A stored version renders again byte for byte from what it pinned: `contractdesk documents
verify REF` (in a process of its own, as an operator runs it) says "identical" for a new
licence and for an earlier version, also one whose data was revised since (from the inputs
kept with it); it exits non-zero and says what differs when the
stored object was changed or a pinned clause version was changed in the database."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from apiflask import APIFlask
from sqlalchemy import delete, update

from app.config import PROJECT_ROOT
from app.documents.models import Document, DocumentVersionInput
from app.documents.reproduce import verify_version
from app.library.models import ClauseVersion
from app.rendering.compare import differences
from app.rendering.pdf import Archival, pdf_from_html
from app.runtime import Runtime
from tests.conftest import WAIT, account_id, bearer
from tests.support.cli import invoke
from tests.support.licences import create_licence, licence_data


def _verify(
    app: APIFlask, *args: str, subprocess_run: bool = False
) -> subprocess.CompletedProcess[str]:
    """`contractdesk documents verify`, in this process unless `subprocess_run`."""
    settings = app.extensions["contractdesk"].settings
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "CONTRACTDESK_STORAGE_DIR": str(settings.storage_dir),
        "CONTRACTDESK_INSTANCE_DIR": str(settings.instance_dir),
        "CONTRACTDESK_SECRET_KEY": "a-long-enough-test-secret-key-for-the-cli",
        "CONTRACTDESK_SELLER_NAME": settings.seller_name,
        "CONTRACTDESK_SELLER_ADDRESS": settings.seller_address,
    }
    if not subprocess_run:
        return invoke(env, "documents", "verify", *args)
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "documents", "verify", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _record(runtime: Runtime, document_id: str) -> dict[str, Any]:
    with runtime.unit_of_work() as uow:
        document = uow.session.get(Document, uuid.UUID(document_id))
        assert document is not None
        pdf = document.file("pdf")
        assert pdf is not None
        return {
            "number": document.number,
            "pdf_path": Path(runtime.settings.storage_dir)
            / pdf.storage_key
            / pdf.storage_version_id,
            "clause_version_id": document.clauses[0].clause_version_id,
        }


def test_a_new_licence_and_its_earlier_version_verify_identical(
    app: APIFlask, runtime: Runtime
) -> None:
    document_id = create_licence(app)
    number = _record(runtime, document_id)["number"]
    regenerated = app.test_client().post(
        f"/api/v1/documents/{document_id}/regenerate",
        headers={**bearer(app, "support@example.com"), **WAIT},
    )
    assert regenerated.status_code in (200, 201, 202), regenerated.json

    current = _verify(app, number, subprocess_run=True)
    assert current.returncode == 0, current.stdout + current.stderr
    assert f"{number} version 2" in current.stdout
    assert "pdf    identical" in current.stdout and "docx   identical" in current.stdout
    assert current.stdout.rstrip().endswith("identical")

    first = _verify(app, document_id, "--version", "1")
    assert first.returncode == 0, first.stdout + first.stderr
    assert f"{number} version 1" in first.stdout


def test_a_changed_stored_object_fails_verification(app: APIFlask, runtime: Runtime) -> None:
    document_id = create_licence(app)
    record = _record(runtime, document_id)
    path: Path = record["pdf_path"]
    path.chmod(stat.S_IWUSR | stat.S_IRUSR)
    path.write_bytes(path.read_bytes().replace(b"%%EOF", b"%%EOF\n% appended", 1))

    result = _verify(app, record["number"])
    assert result.returncode == 1, result.stdout + result.stderr
    assert "pdf    DIFFERS" in result.stdout
    assert "the stored object no longer matches its recorded SHA-256" in result.stdout
    assert "docx   identical" in result.stdout
    assert result.stdout.rstrip().endswith("differs")


def test_a_changed_clause_version_fails_verification_with_the_text_that_moved(
    app: APIFlask, runtime: Runtime
) -> None:
    document_id = create_licence(app)
    record = _record(runtime, document_id)
    with runtime.unit_of_work() as uow:
        uow.session.execute(
            update(ClauseVersion)
            .where(ClauseVersion.id == record["clause_version_id"])
            .values(body=ClauseVersion.body + " Quietly amended sentence.")
        )
        uow.commit()

    result = _verify(app, record["number"])
    assert result.returncode == 1, result.stdout + result.stderr
    assert "pdf    DIFFERS" in result.stdout and "docx   DIFFERS" in result.stdout
    assert "rendered again: sha256" in result.stdout
    pdf_lines = [line for line in result.stdout.splitlines() if "page " in line]
    assert any("+" in line and "Quietly amended" in line for line in pdf_lines), result.stdout
    assert "part word/document.xml differs" in result.stdout


def _revise(app: APIFlask, document_id: str) -> None:
    revised = app.test_client().put(
        f"/api/v1/documents/{document_id}/data",
        json={"data": licence_data(app, notice_days=60)},
        headers={**bearer(app, "support@example.com"), **WAIT},
    )
    assert revised.status_code == 200, revised.json


def _pdf_path(runtime: Runtime, document_id: str, version: int) -> Path:
    with runtime.unit_of_work() as uow:
        document = uow.session.get(Document, uuid.UUID(document_id))
        assert document is not None
        pdf = document.file("pdf", version)
        assert pdf is not None
        return Path(runtime.settings.storage_dir) / pdf.storage_key / pdf.storage_version_id


def test_a_version_whose_data_was_revised_verifies_from_what_it_was_made_of(
    app: APIFlask, runtime: Runtime
) -> None:
    document_id = create_licence(app)
    _revise(app, document_id)

    first = _verify(app, document_id, "--version", "1")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "version 1" in first.stdout and "pdf    identical" in first.stdout
    assert first.stdout.rstrip().endswith("identical")
    current = _verify(app, document_id)
    assert current.returncode == 0, current.stdout + current.stderr
    assert "version 2" in current.stdout

    path = _pdf_path(runtime, document_id, 1)
    path.chmod(stat.S_IWUSR | stat.S_IRUSR)
    path.write_bytes(path.read_bytes().replace(b"%%EOF", b"%%EOF\n% appended", 1))
    tampered = _verify(app, document_id, "--version", "1")
    assert tampered.returncode == 1, tampered.stdout + tampered.stderr
    assert "pdf    DIFFERS" in tampered.stdout and "docx   identical" in tampered.stdout


def test_a_revised_version_stored_before_its_inputs_were_kept_says_it_cannot_be_verified(
    app: APIFlask, runtime: Runtime
) -> None:
    document_id = create_licence(app)
    _revise(app, document_id)
    with runtime.unit_of_work() as uow:
        uow.session.execute(
            delete(DocumentVersionInput).where(
                DocumentVersionInput.document_id == uuid.UUID(document_id),
                DocumentVersionInput.version == 1,
            )
        )
        uow.commit()

    result = _verify(app, document_id, "--version", "1")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "version 1 was made from data revised in version 2" in result.stderr
    assert _verify(app, document_id).returncode == 0


def test_the_differences_name_the_dates_the_data_and_the_text(tmp_path: Path) -> None:
    page = '<html lang="en"><head><title>T-1</title></head><body><p>{}</p></body></html>'

    def pdf(text: str, version: int, when: datetime) -> bytes:
        data = json.dumps({"document": {"version": version}}).encode()
        return pdf_from_html(tmp_path, "t.html", page.format(text), Archival(when, data))

    first = pdf("Net 30 days.", 1, datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    assert pdf("Net 30 days.", 1, datetime(2026, 12, 1, 9, 0, tzinfo=UTC)) == first
    found = differences("pdf", first, pdf("Net 60 days.", 2, datetime(2026, 12, 2, tzinfo=UTC)))
    assert "metadata /CreationDate: D:20261201090000Z -> D:20261202000000Z" in found
    assert "contract.json /document/version: 1 -> 2" in found
    assert "page 1: -Net 30 days." in found and "page 1: +Net 60 days." in found
    assert not [line for line in found if line.startswith("font ")]


def test_a_title_list_verifies_identical_in_every_format(app: APIFlask, runtime: Runtime) -> None:
    sample = json.loads((PROJECT_ROOT / "contract_templates/title-list/sample.json").read_text())
    sample["account"] = account_id(runtime, "Consortium")
    created = app.test_client().post(
        "/api/v1/documents",
        json={"template": "title-list", "data": sample},
        headers={**bearer(app, "support@example.com"), **WAIT},
    )
    assert created.status_code == 201, created.json
    result = verify_version(runtime.unit_of_work(), uuid.UUID(created.json["id"]))
    assert {check.kind for check in result.files} == {"pdf", "docx", "xlsx", "csv", "kbart"}
    assert result.identical, [(c.kind, c.differences) for c in result.files]
