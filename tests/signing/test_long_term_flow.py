"""The built-in signer against a real TSA and OCSP responder (certomancer): a signature
made while the TSA is down leaves the document unsigned, nothing stored, and is sealed on
the retry; `contractdesk signatures verify` and `extend` work on what was stored."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from apiflask import APIFlask
from click.testing import CliRunner
from pyhanko.pdf_utils.reader import PdfFileReader
from sqlalchemy import func, select

from app import entry
from app.audit.models import AuditEvent
from app.cli import main
from app.config import Settings
from app.documents.models import SIGNED, Document, DocumentFile
from app.runtime import Runtime
from app.signing.long_term import SealingUnavailable
from app.signing.models import Envelope
from tests.conftest import bearer, build_app, make_settings
from tests.support.flows import create_and_send, sign_as
from tests.support.pki_services import PkiServices


@pytest.fixture
def pki(tmp_path: Path) -> Iterator[PkiServices]:
    services = PkiServices(tmp_path / "pki").start()
    yield services
    services.stop()


@pytest.fixture
def ltv_settings(postgres_url: str, tmp_path: Path, pki: PkiServices) -> Settings:
    """Production's shape: a CA-issued signing certificate with an OCSP address, a TSA."""
    instance = tmp_path / "instance"
    pki.install_signer(instance)
    return make_settings(postgres_url, tmp_path, instance, tsa_url=pki.tsa_url)


@pytest.fixture
def ltv_app(ltv_settings: Settings) -> Iterator[APIFlask]:
    app = build_app(ltv_settings)
    yield app
    app.extensions["contractdesk"].close()


def _env(settings: Settings, pki: PkiServices) -> dict[str, str]:
    return {
        "DATABASE_URL": settings.database_url,
        "CONTRACTDESK_STORAGE_DIR": str(settings.storage_dir),
        "CONTRACTDESK_INSTANCE_DIR": str(settings.instance_dir),
        "CONTRACTDESK_TSA_URL": pki.tsa_url,
        "CONTRACTDESK_OUTBOUND_ALLOW": "127.0.0.1/32",
        "CONTRACTDESK_SELLER_NAME": "Test Publisher",
    }


def _signed_file(runtime: Runtime, document_id: str) -> DocumentFile | None:
    with runtime.session_factory() as session:
        return session.scalar(
            select(DocumentFile).where(
                DocumentFile.document_id == document_id, DocumentFile.kind == "signed"
            )
        )


def _events(runtime: Runtime, tag: str) -> list[AuditEvent]:
    with runtime.session_factory() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.tag == tag)))


def test_tsa_down_leaves_the_document_unsigned_and_the_retry_seals_it(
    ltv_app: APIFlask, pki: PkiServices
) -> None:
    runtime: Runtime = ltv_app.extensions["contractdesk"]
    client = ltv_app.test_client()
    support = bearer(ltv_app, "support@example.com")
    document_id, link = create_and_send(ltv_app)
    pki.tsa.stop()

    assert sign_as(client, link, "Helen Marsh").status_code == 200
    with runtime.session_factory() as session:
        document = session.get(Document, document_id)
        assert document is not None and document.status != SIGNED
        number = document.number
    assert _signed_file(runtime, document_id) is None
    assert not list((runtime.settings.storage_dir).rglob("*signed*"))
    assert [e.data["reason"] for e in _events(runtime, "document.seal_deferred")]
    files = f"/api/v1/documents/{document_id}/files/signed"
    assert client.get(files, headers=support).status_code == 404
    assert entry.run(runtime, "signing.seal_due", {}) == 0, "still down: nothing sealed"
    with runtime.session_factory() as session:
        envelope_id = session.scalar(select(Envelope.id).where(Envelope.document_id == document_id))
    with pytest.raises(SealingUnavailable):
        entry.run(runtime, "signing.seal", {"envelope_id": str(envelope_id)})
    assert _signed_file(runtime, document_id) is None

    pki.tsa.start()
    assert entry.run(runtime, "signing.seal_due", {}) == 1
    signed = client.get(files, headers=support)
    assert signed.status_code == 200
    assert list((runtime.settings.storage_dir).rglob("*signed*"))
    reader = PdfFileReader(io.BytesIO(signed.data))
    assert [s.sig_object_type for s in reader.embedded_signatures] == ["/Sig", "/DocTimeStamp"]

    result = CliRunner().invoke(
        main, ["signatures", "verify", number], env=_env(runtime.settings, pki)
    )
    assert result.exit_code == 0, result.output
    assert f"{number}: valid, PAdES B-LTA, signed by Test Publisher" in result.output


def test_verify_names_the_reason_and_extend_stores_a_new_version(
    ltv_app: APIFlask, pki: PkiServices, tmp_path: Path
) -> None:
    runtime: Runtime = ltv_app.extensions["contractdesk"]
    client = ltv_app.test_client()
    document_id, link = create_and_send(ltv_app)
    assert sign_as(client, link, "Helen Marsh").status_code == 200
    before = _signed_file(runtime, document_id)
    assert before is not None
    signed = runtime.storage.get(
        before.storage_key, before.storage_version_id, sha256=before.sha256
    )
    env = _env(runtime.settings, pki)

    good = tmp_path / "signed.pdf"
    good.write_bytes(signed)
    assert (
        CliRunner().invoke(main, ["signatures", "verify", "--file", str(good)], env=env).exit_code
        == 0
    )
    tampered = tmp_path / "tampered.pdf"
    reader = PdfFileReader(io.BytesIO(signed))
    length = reader.embedded_signatures[0].byte_range[1]
    flipped = bytearray(signed)
    flipped[length - 200] ^= 0x01  # a byte of the signed content, before the signature
    tampered.write_bytes(bytes(flipped))
    failed = CliRunner().invoke(main, ["signatures", "verify", "--file", str(tampered)], env=env)
    assert failed.exit_code == 1
    assert "the document was changed after signing" in failed.output

    nothing_due = CliRunner().invoke(main, ["signatures", "extend", "--within-days", "1"], env=env)
    assert nothing_due.exit_code == 0, nothing_due.output
    assert "0 of 0 due" in nothing_due.output
    extended = CliRunner().invoke(main, ["signatures", "extend", "--within-days", "36500"], env=env)
    assert extended.exit_code == 0, extended.output
    after = _signed_file(runtime, document_id)
    assert after is not None
    assert after.storage_version_id != before.storage_version_id
    assert after.sha256 != before.sha256
    old = runtime.storage.get(before.storage_key, before.storage_version_id, sha256=before.sha256)
    assert old == signed, "the previous object version is kept as it was"
    new = runtime.storage.get(after.storage_key, after.storage_version_id, sha256=after.sha256)
    assert hashlib.sha256(new).hexdigest() == after.sha256
    assert new.startswith(signed)
    assert len(PdfFileReader(io.BytesIO(new)).embedded_signatures) == 3
    [event] = _events(runtime, "document.timestamp_extended")
    assert event.data["old_sha256"] == before.sha256 and event.data["sha256"] == after.sha256
    with runtime.session_factory() as session:
        number = session.scalar(select(Document.number).where(Document.id == document_id))
        assert session.scalar(select(func.count()).select_from(DocumentFile)) >= 1
    verified = CliRunner().invoke(main, ["signatures", "verify", str(number)], env=env)
    assert verified.exit_code == 0, verified.output
    assert (
        "3 document timestamp" not in verified.output
        and "2 document timestamp(s)" in verified.output
    )
