"""The local object store: write-once versions, checksums checked on every read."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from app.storage.interfaces import BlobCorrupted, BlobNotFound
from app.storage.local import LocalBlobStorage


def test_each_put_is_a_new_version_and_old_ones_stay(tmp_path: Path) -> None:
    store = LocalBlobStorage(tmp_path)
    first = store.put("documents/a/pdf", b"one", content_type="application/pdf")
    second = store.put("documents/a/pdf", b"two", content_type="application/pdf")
    assert first.version_id != second.version_id
    assert store.versions("documents/a/pdf") == [first.version_id, second.version_id]
    assert store.get(first.key, first.version_id, sha256=first.sha256) == b"one"
    assert (
        store.get(second.key, second.version_id, sha256=hashlib.sha256(b"two").hexdigest())
        == b"two"
    )


def test_a_tampered_object_fails_its_checksum(tmp_path: Path) -> None:
    store = LocalBlobStorage(tmp_path)
    blob = store.put("documents/a/pdf", b"original", content_type="application/pdf")
    path = tmp_path / "documents/a/pdf" / blob.version_id
    os.chmod(path, 0o644)
    path.write_bytes(b"forged!!")
    with pytest.raises(BlobCorrupted):
        store.get(blob.key, blob.version_id, sha256=blob.sha256)


def test_stored_versions_are_read_only_files(tmp_path: Path) -> None:
    store = LocalBlobStorage(tmp_path)
    blob = store.put("k", b"x", content_type="text/plain")
    assert (tmp_path / "k" / blob.version_id).stat().st_mode & 0o222 == 0


@pytest.mark.parametrize("key", ["../escape", "/abs", "a/../../b", ""])
def test_keys_cannot_leave_the_root(tmp_path: Path, key: str) -> None:
    with pytest.raises(ValueError):
        LocalBlobStorage(tmp_path).put(key, b"x", content_type="text/plain")


def test_missing_version_is_not_found(tmp_path: Path) -> None:
    store = LocalBlobStorage(tmp_path)
    blob = store.put("k", b"x", content_type="text/plain")
    with pytest.raises(BlobNotFound):
        store.get("k", "0000-nope", sha256=blob.sha256)
    with pytest.raises(BlobNotFound):
        store.get("k", "../k", sha256=blob.sha256)
