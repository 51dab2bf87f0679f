"""Listing documents for CRMs and ERPs: filtered, newest first, in pages that hold steady
while documents are added (keyset pagination on creation time and id)."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, or_, select, tuple_
from sqlalchemy.orm import Session, lazyload

from app.accounts.models import Account
from app.documents.models import Document
from app.errors import FieldError, InvalidInput


@dataclass(frozen=True)
class DocumentFilter:
    account_id: uuid.UUID | None = None
    account_crm_id: str | None = None
    account_erp_id: str | None = None
    status: str | None = None
    kind: str | None = None
    external_ref: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    created_by: frozenset[uuid.UUID] | None = None
    """Only documents these users created (a seller's own, or their team's)."""
    search: str | None = None
    """Part of the document's number or of its customer's name, in any case."""


@dataclass(frozen=True)
class Page:
    documents: list[Document]
    accounts: dict[uuid.UUID, Account]
    next_cursor: str | None


def encode_cursor(document: Document) -> str:
    raw = json.dumps([document.created_at.isoformat(), str(document.id)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        created, document_id = json.loads(raw)
        return datetime.fromisoformat(created), uuid.UUID(document_id)
    except (binascii.Error, ValueError, TypeError) as exc:
        raise InvalidInput(
            "the cursor is not one this service gave", [FieldError("/cursor", "unknown cursor")]
        ) from exc


NAMED_ACCOUNTS = 2000
"""Up to this many customers whose names match are looked up first, so that the documents
are found through the customer index; a search matching more is common enough to find a
page by walking the newest documents."""


def _searched(session: Session, search: str) -> ColumnElement[bool]:
    """A part of the number or of the customer's name, in any case. Each side uses its
    own trigram index on PostgreSQL (a condition across the join could use neither)."""
    escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    named = select(Account.id).where(Account.name.ilike(pattern, escape="\\"))
    ids = list(session.scalars(named.limit(NAMED_ACCOUNTS + 1)))
    return or_(
        Document.number.ilike(pattern, escape="\\"),
        Document.account_id.in_(ids if len(ids) <= NAMED_ACCOUNTS else named),
    )


def list_documents(
    session: Session, criteria: DocumentFilter, *, limit: int, cursor: str | None
) -> Page:
    query = select(Document).outerjoin(Account, Account.id == Document.account_id)
    conditions = {
        Document.account_id: criteria.account_id,
        Account.crm_id: criteria.account_crm_id,
        Account.erp_id: criteria.account_erp_id,
        Document.status: criteria.status,
        Document.kind: criteria.kind,
        Document.external_ref: criteria.external_ref,
    }
    for column, value in conditions.items():
        if value is not None:
            query = query.where(column == value)
    if criteria.created_from is not None:
        query = query.where(Document.created_at >= criteria.created_from)
    if criteria.created_to is not None:
        query = query.where(Document.created_at < criteria.created_to)
    if criteria.created_by is not None:
        query = query.where(Document.created_by_id.in_(criteria.created_by))
    if criteria.search:
        query = query.where(_searched(session, criteria.search))
    if cursor:
        created, document_id = decode_cursor(cursor)
        query = query.where(tuple_(Document.created_at, Document.id) < (created, document_id))
    # a list shows neither approvals, clauses, edits nor the template: not loaded for it
    unshown = [lazyload(r) for r in (Document.approvals, Document.clauses, Document.edits)]
    unshown.append(lazyload(Document.template_version))
    rows = list(
        session.scalars(
            query.options(*unshown)
            .order_by(Document.created_at.desc(), Document.id.desc())
            .limit(limit + 1)
        )
    )
    documents = rows[:limit]
    account_ids = {d.account_id for d in documents if d.account_id}
    accounts = {
        a.id: a for a in session.scalars(select(Account).where(Account.id.in_(account_ids)))
    }
    next_cursor = encode_cursor(documents[-1]) if len(rows) > limit else None
    return Page(documents, accounts, next_cursor)
