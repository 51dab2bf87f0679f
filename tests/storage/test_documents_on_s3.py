"""Documents on S3-compatible storage: versions, checksums, presigned downloads, outages."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from apiflask import APIFlask
from sqlalchemy import select

from app.documents.models import DocumentFile
from tests.conftest import WAIT, account_id, bearer, build_app, make_settings, row_counts
from tests.support.flows import plain_quote_request, quote_request, sign_as
from tests.support.seaweedfs import SeaweedFS, s3_environment


def s3_app(
    postgres_url: str, tmp_path: Path, instance_dir: Path, server: SeaweedFS, **extra
) -> APIFlask:
    settings = make_settings(
        postgres_url,
        tmp_path,
        instance_dir,
        storage="s3",
        s3_endpoint_url=server.endpoint_url,
        s3_bucket=extra.pop("bucket", None) or server.new_bucket(),
        **extra,
    )
    return build_app(settings)


@pytest.fixture
def app_on_s3(
    postgres_url: str, tmp_path: Path, instance_dir: Path, s3_env: SeaweedFS
) -> Iterator[APIFlask]:
    bucket = s3_env.new_bucket(object_lock=True)
    app = s3_app(postgres_url, tmp_path, instance_dir, s3_env, bucket=bucket, s3_lock_days=7)
    yield app
    app.extensions["contractdesk"].close()


def _recorded(app: APIFlask, kind: str) -> list[DocumentFile]:
    uow = app.extensions["contractdesk"].unit_of_work()
    with uow:
        return list(uow.session.scalars(select(DocumentFile).where(DocumentFile.kind == kind)))


def test_files_are_versioned_objects_served_by_presigned_urls(
    app_on_s3: APIFlask, s3_env: SeaweedFS
) -> None:
    app = app_on_s3
    client = app.test_client()
    runtime = app.extensions["contractdesk"]
    support = bearer(app, "support@example.com")
    doc = client.post(
        "/api/v1/documents", json=plain_quote_request(app), headers={**support, **WAIT}
    ).json
    assert (
        client.post(
            f"/api/v1/documents/{doc['id']}/regenerate", headers={**support, **WAIT}
        ).status_code
        == 201
    )

    redirect = client.get(doc["files"]["pdf"] + "?version=1", headers=support)
    assert redirect.status_code == 303
    pdf = httpx.get(redirect.headers["Location"], timeout=10)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    first, second = sorted(_recorded(app, "pdf"), key=lambda f: f.version)
    assert hashlib.sha256(pdf.content).hexdigest() == first.sha256
    assert first.storage_key == second.storage_key
    assert first.storage_version_id != second.storage_version_id
    head = s3_env.client().head_object(
        Bucket=runtime.settings.s3_bucket, Key=first.storage_key, VersionId=first.storage_version_id
    )
    assert head["ContentLength"] == first.size

    sent = client.post(
        f"/api/v1/documents/{doc['id']}/send",
        json={"signers": [{"name": "Helen Marsh", "email": "h.marsh@example.ac.uk"}]},
        headers=support,
    ).json
    assert sign_as(client, sent["signers"][0]["signing_url"], "Helen Marsh").status_code == 200
    [signed] = _recorded(app, "signed")
    retention = s3_env.client().get_object_retention(
        Bucket=runtime.settings.s3_bucket,
        Key=signed.storage_key,
        VersionId=signed.storage_version_id,
    )
    assert retention["Retention"]["Mode"] == "COMPLIANCE"


def test_storage_outage_fails_the_render_with_the_reason_stores_nothing_and_regenerate_succeeds(
    postgres_url: str, tmp_path: Path, instance_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = SeaweedFS(tmp_path / "seaweedfs")
    server.start()
    for name, value in s3_environment(server).items():
        monkeypatch.setenv(name, value)
    app = s3_app(postgres_url, tmp_path, instance_dir, server)
    try:
        client = app.test_client()
        runtime = app.extensions["contractdesk"]
        support = bearer(app, "support@example.com")
        body = quote_request(account_id(runtime, "University"))
        before = row_counts(runtime)
        server.stop()
        down = client.post("/api/v1/documents", json=body, headers={**support, **WAIT})
        assert down.status_code == 422, down.json
        assert down.mimetype == "application/problem+json"
        assert "object storage" in down.json["detail"]
        after = row_counts(runtime)
        # Recorded before its render: the document is there, without a file or an object.
        assert after["document"] == before["document"] + 1
        assert after["document_file"] == before["document_file"]
        assert after["stored objects"] == before["stored objects"]
        document = client.get(down.json["document"], headers=support).json
        assert document["render_status"] == "failed"
        assert "object storage" in document["render_error"]

        server.start()
        again = client.post(
            f"/api/v1/documents/{document['id']}/regenerate", headers={**support, **WAIT}
        )
        assert again.status_code in (200, 201), again.json
        ready = client.get(down.json["document"], headers=support).json
        assert ready["render_status"] == "ready"
        assert ready["number"].endswith("000001")
    finally:
        app.extensions["contractdesk"].close()
        server.stop()
