"""A folder on disk: `<root>/<key>/<version_id>`, each version written once, atomically."""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from pathlib import Path

from app.storage.interfaces import (
    BlobCorrupted,
    BlobNotFound,
    StorageUnavailable,
    StoredBlob,
)

_SAFE_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$")


class LocalBlobStorage:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _dir(self, key: str) -> Path:
        if not _SAFE_KEY.match(key) or ".." in key:
            raise ValueError(f"unsafe storage key {key!r}")
        return self.root / key

    def put(self, key: str, data: bytes, *, content_type: str, retain: bool = False) -> StoredBlob:
        # Every version is a read-only file already; `retain` asks nothing more here.
        folder = self._dir(key)
        # Version ids sort by creation time, so a listing reads oldest to newest.
        version_id = f"{uuid.uuid1().time:020d}-{uuid.uuid4().hex[:12]}"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            partial = folder / f".{version_id}.partial"
            with open(partial, "xb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(partial, 0o444)
            os.link(partial, folder / version_id)
            partial.unlink()
        except OSError as exc:
            raise StorageUnavailable(
                f"local storage at {self.root} refused a write: {exc}"
            ) from exc
        return StoredBlob(
            key=key, version_id=version_id, sha256=hashlib.sha256(data).hexdigest(), size=len(data)
        )

    def get(self, key: str, version_id: str, *, sha256: str) -> bytes:
        if "/" in version_id or version_id.startswith("."):
            raise BlobNotFound(f"no version {version_id!r} of {key}")
        path = self._dir(key) / version_id
        try:
            data = path.read_bytes()
        except FileNotFoundError as exc:
            raise BlobNotFound(f"no version {version_id} of {key} in storage") from exc
        except OSError as exc:
            raise StorageUnavailable(f"local storage at {self.root} refused a read: {exc}") from exc
        if hashlib.sha256(data).hexdigest() != sha256:
            raise BlobCorrupted(f"{key} version {version_id} does not match its recorded sha256")
        return data

    def versions(self, key: str) -> list[str]:
        folder = self._dir(key)
        if not folder.is_dir():
            return []
        return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))

    def discard(self, blob: StoredBlob) -> None:
        try:
            (self._dir(blob.key) / blob.version_id).unlink(missing_ok=True)
        except OSError as exc:
            raise StorageUnavailable(
                f"local storage at {self.root} refused a delete: {exc}"
            ) from exc

    def presigned_url(self, key: str, version_id: str, *, filename: str) -> str | None:
        return None

    def check(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageUnavailable(f"cannot create local storage at {self.root}: {exc}") from exc
        if not os.access(self.root, os.W_OK):
            raise StorageUnavailable(f"local storage at {self.root} is not writable")
