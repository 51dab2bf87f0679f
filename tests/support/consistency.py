"""The one invariant every fault must leave standing, checked from the outside: what the
database records, what the object store holds, and what the customer's ERP booked."""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import select

from app.billing.models import OutboxEvent
from app.documents.models import SIGNED, Document, DocumentFile
from app.runtime import Runtime
from tests.support.seaweedfs import SeaweedFS

if TYPE_CHECKING:
    from tests.conftest import WebhookReceiver

ObjectVersion = tuple[str, str]
"""(key, version id), as the store names one immutable object version."""


class StoredObjects(Protocol):
    def sha256s(self) -> dict[ObjectVersion, str]:
        """Every object version in the store with the sha256 of its bytes."""
        ...


class FolderObjects:
    """The local backend's folder, read as an operator would: `<key>/<version id>`."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def sha256s(self) -> dict[ObjectVersion, str]:
        if not self.root.exists():
            return {}
        return {
            (str(path.parent.relative_to(self.root)), path.name): hashlib.sha256(
                path.read_bytes()
            ).hexdigest()
            for path in self.root.rglob("*")
            # the embedded default's mail (.eml files under mail/) is not a stored object
            if path.is_file() and path.relative_to(self.root).parts[0] != "mail"
        }


class BucketObjects:
    """A bucket on the test's SeaweedFS, listed and read with a boto3 client of its own."""

    def __init__(self, server: SeaweedFS, bucket: str) -> None:
        self.server, self.bucket = server, bucket

    def sha256s(self) -> dict[ObjectVersion, str]:
        client = self.server.client()
        found: dict[ObjectVersion, str] = {}
        for page in client.get_paginator("list_object_versions").paginate(Bucket=self.bucket):
            for version in page.get("Versions", []):
                key, version_id = version["Key"], version["VersionId"]
                body = client.get_object(Bucket=self.bucket, Key=key, VersionId=version_id)
                found[(key, version_id)] = hashlib.sha256(body["Body"].read()).hexdigest()
        return found


def assert_consistent(
    runtime: Runtime, storage: StoredObjects, receiver: WebhookReceiver | None = None
) -> None:
    """No document lost or half-made, no object without its row, every signed document
    with its signed PDF, and each invoice booked by the ERP exactly once."""
    uow = runtime.unit_of_work()
    with uow:
        documents = {d.id: d for d in uow.session.scalars(select(Document))}
        files = list(uow.session.scalars(select(DocumentFile)))
        invoices = Counter(
            str(document_id)
            for document_id in uow.session.scalars(
                select(OutboxEvent.document_id).where(OutboxEvent.event_type == "invoice.trigger")
            )
        )
    stored = storage.sha256s()

    recorded = {(f.storage_key, f.storage_version_id): f for f in files}
    for place, file in recorded.items():
        assert place in stored, f"{file.kind} v{file.version} of {file.document_id} is lost"
        assert stored[place] == file.sha256, f"{place} does not match its recorded sha256"
    orphans = set(stored) - set(recorded)
    assert not orphans, f"objects in the store that no document records: {sorted(orphans)}"

    for document in documents.values():
        kinds = {f.kind for f in files if f.document_id == document.id}
        assert {"pdf", "docx"} <= kinds, f"{document.number} is half-made: only {kinds}"
        if document.status == SIGNED:
            assert "signed" in kinds, f"{document.number} is signed without its signed PDF"
    signed = {str(d.id) for d in documents.values() if d.status == SIGNED}
    twice = {document_id for document_id, count in invoices.items() if count > 1}
    assert not twice, f"more than one invoice.trigger emitted for {twice}"
    assert set(invoices) <= signed, "an invoice.trigger for a document that is not signed"

    if receiver is not None:
        booked = Counter(
            event["data"]["document_id"]
            for event in receiver.ledger.values()
            if event["type"] == "invoice.trigger"
        )
        assert booked == Counter(invoices), (
            f"the ERP booked {dict(booked)}, the service emitted {dict(invoices)}"
        )
