"""The object store every artifact lives in. Objects are written once and never replaced."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from app.errors import IntegrityFailure, NotFound, Unavailable


@dataclass(frozen=True)
class StoredBlob:
    key: str
    version_id: str
    sha256: str
    size: int


class BlobNotFound(NotFound):
    pass


class BlobCorrupted(IntegrityFailure):
    pass


class StorageUnavailable(Unavailable):
    pass


class BlobStorage(Protocol):
    def put(self, key: str, data: bytes, *, content_type: str, retain: bool = False) -> StoredBlob:
        """Store `data` as a new version of `key`; earlier versions stay readable.
        `retain` asks for retention (Object Lock) where the store offers it."""
        ...

    def get(self, key: str, version_id: str, *, sha256: str) -> bytes:
        """Read one version; raise `BlobCorrupted` when its bytes do not hash to `sha256`."""
        ...

    def versions(self, key: str) -> list[str]:
        """Every version id of `key`, oldest first."""
        ...

    def discard(self, blob: StoredBlob) -> None:
        """Remove a version that no record refers to, because the transaction that stored it
        rolled back: the one deletion the application makes."""
        ...

    def presigned_url(self, key: str, version_id: str, *, filename: str) -> str | None:
        """A short-lived download URL, or None when the store serves no URLs of its own."""
        ...

    def check(self) -> None:
        """Raise `StorageUnavailable` with a clear reason when the store cannot be used."""
        ...
