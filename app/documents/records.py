"""A document as recorded: who may make one, what it stems from, reading and locking it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.assembly.approval_matrix import APPROVER_ROLES as MATRIX_ROLES
from app.documents.models import APPROVED, DRAFT, PENDING_APPROVAL, REJECTED, Document
from app.errors import NotFound

CREATOR_ROLES = frozenset({"support", "manager", "admin"})

APPROVER_ROLES = frozenset(MATRIX_ROLES)

REVISABLE = frozenset({DRAFT, PENDING_APPROVAL, APPROVED, REJECTED})


@dataclass(frozen=True)
class Parent:
    """The document a new one amends or renews."""

    document_id: uuid.UUID
    relation: str

    def as_json(self) -> dict[str, str]:
        return {"document_id": str(self.document_id), "relation": self.relation}

    @classmethod
    def from_json(cls, value: dict[str, str] | None) -> Parent | None:
        return cls(uuid.UUID(value["document_id"]), value["relation"]) if value else None


def get_document(session: Session, document_id: uuid.UUID) -> Document:
    document = session.get(Document, document_id)
    if document is None:
        raise NotFound(f"no document {document_id}")
    return document


def locked(session: Session, document_id: uuid.UUID) -> Document:
    document = session.scalar(
        select(Document).where(Document.id == document_id).with_for_update(of=Document)
    )
    if document is None:
        raise NotFound(f"no document {document_id}")
    return document


def outstanding_approvals(document: Document) -> list[dict[str, str]]:
    """The required approvals no one has given yet, in the order they were required."""
    given = {a.rule for a in document.approvals if a.decision == "approve" and a.standing}
    return [rule for rule in document.approvals_required if rule["rule"] not in given]
