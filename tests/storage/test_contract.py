"""One contract, both backends: the local folder and S3 (SeaweedFS, a real server)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx
import pytest

from app.storage.interfaces import BlobCorrupted, BlobNotFound, BlobStorage, StorageUnavailable
from app.storage.local import LocalBlobStorage
from app.storage.s3 import S3BlobStorage
from tests.support.seaweedfs import SeaweedFS


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> BlobStorage:
    if request.param == "local":
        return LocalBlobStorage(tmp_path / "store")
    server: SeaweedFS = request.getfixturevalue("s3_env")
    return S3BlobStorage(bucket=server.new_bucket(), endpoint_url=server.endpoint_url)


def test_versions_are_kept_and_read_back_exactly(store: BlobStorage) -> None:
    store.check()
    one = store.put("documents/x/pdf", b"%PDF one", content_type="application/pdf")
    two = store.put("documents/x/pdf", b"%PDF two", content_type="application/pdf")
    assert one.version_id != two.version_id
    assert one.sha256 == hashlib.sha256(b"%PDF one").hexdigest() and one.size == 8
    assert store.versions("documents/x/pdf") == [one.version_id, two.version_id]
    assert store.get(one.key, one.version_id, sha256=one.sha256) == b"%PDF one"
    assert store.get(two.key, two.version_id, sha256=two.sha256) == b"%PDF two"


def test_a_wrong_checksum_is_refused(store: BlobStorage) -> None:
    blob = store.put("k/a", b"data", content_type="text/plain")
    with pytest.raises(BlobCorrupted):
        store.get(blob.key, blob.version_id, sha256=hashlib.sha256(b"other").hexdigest())


def test_an_unknown_version_is_not_found(store: BlobStorage) -> None:
    blob = store.put("k/b", b"data", content_type="text/plain")
    with pytest.raises(BlobNotFound):
        store.get("k/b", "00000000000000000000000000000000", sha256=blob.sha256)
    with pytest.raises(BlobNotFound):
        store.get("k/never-written", blob.version_id, sha256=blob.sha256)


def test_a_download_url_serves_that_version(store: BlobStorage) -> None:
    first = store.put("k/c", b"first", content_type="text/plain")
    store.put("k/c", b"second", content_type="text/plain")
    url = store.presigned_url("k/c", first.version_id, filename="c.txt")
    if isinstance(store, LocalBlobStorage):
        assert url is None  # the app streams local files itself
        return
    assert url is not None
    answer = httpx.get(url, timeout=10)
    assert answer.status_code == 200 and answer.content == b"first"
    assert 'filename="c.txt"' in answer.headers["content-disposition"]


def test_an_unversioned_bucket_is_refused_at_start_up(s3_env: SeaweedFS) -> None:
    bucket = s3_env.new_bucket(versioned=False)
    store = S3BlobStorage(bucket=bucket, endpoint_url=s3_env.endpoint_url)
    with pytest.raises(StorageUnavailable, match="must have versioning enabled"):
        store.check()


def test_an_unreachable_store_says_so(s3_env: SeaweedFS) -> None:
    store = S3BlobStorage(bucket="any", endpoint_url="http://127.0.0.1:9")
    with pytest.raises(StorageUnavailable, match="bucket any"):
        store.put("k", b"x", content_type="text/plain")


def test_signed_documents_can_be_kept_under_object_lock(s3_env: SeaweedFS) -> None:
    bucket = s3_env.new_bucket(object_lock=True)
    store = S3BlobStorage(bucket=bucket, endpoint_url=s3_env.endpoint_url, lock_days=30)
    blob = store.put(
        "documents/d/signed", b"%PDF signed", content_type="application/pdf", retain=True
    )
    retention = s3_env.client().get_object_retention(
        Bucket=bucket, Key=blob.key, VersionId=blob.version_id
    )["Retention"]
    assert retention["Mode"] == "COMPLIANCE"
    with pytest.raises(Exception):  # noqa: B017 - the store refuses, whatever it calls it
        s3_env.client().delete_object(Bucket=bucket, Key=blob.key, VersionId=blob.version_id)
    assert store.get(blob.key, blob.version_id, sha256=blob.sha256) == b"%PDF signed"


def test_prepare_bucket_makes_a_versioned_bucket(s3_env: SeaweedFS) -> None:
    store = S3BlobStorage(bucket="cd-prepared-bucket", endpoint_url=s3_env.endpoint_url)
    store.prepare_bucket()
    store.prepare_bucket()  # a second run changes nothing
    store.check()
