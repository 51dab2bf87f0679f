"""What each stored version was made from, kept with the version (issue 22, point 8).

A revision replaces the document's data, customer, figures and pinned clauses, so the
document's own record describes only its newest version. When a version's files are stored,
`record` keeps a copy of those inputs; `document_as_of` gives them back as the document
stood then, so that any version renders again byte for byte (`app/documents/reproduce.py`).
"""

from __future__ import annotations

import copy
import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.documents.models import Document, DocumentClause, DocumentVersionInput
from app.library.models import ClauseVersion, TemplateVersion


def record(session: Session, document: Document, version: int, made_at: datetime) -> None:
    """Keep what `version` is being made from: the document's record as it stands now."""
    session.add(
        DocumentVersionInput(
            document_id=document.id,
            version=version,
            template_version_id=document.template_version_id,
            clause_version_ids=[str(pinned.clause_version_id) for pinned in document.clauses],
            data=copy.deepcopy(document.data),
            customer=copy.deepcopy(document.customer),
            totals=copy.deepcopy(document.totals),
            account_id=document.account_id,
            made_at=made_at,
        )
    )


def document_as_of(session: Session, document: Document, version: int) -> Document | None:
    """The document as it stood when `version` was made, or None for a version stored
    before its inputs were kept.

    The copy is transient: never added to the session, so nothing of it is written; it
    only carries the inputs to the same assembly and marking code as the document itself."""
    kept = session.scalar(
        select(DocumentVersionInput).where(
            DocumentVersionInput.document_id == document.id,
            DocumentVersionInput.version == version,
        )
    )
    if kept is None:
        return None
    template_version = session.get(TemplateVersion, kept.template_version_id)
    clauses = []
    for position, clause_version_id in enumerate(kept.clause_version_ids):
        clause_version = session.get(ClauseVersion, uuid.UUID(clause_version_id))
        clauses.append(
            DocumentClause(
                document_id=document.id,
                clause_version_id=uuid.UUID(clause_version_id),
                clause_version=clause_version,
                position=position,
            )
        )
    return Document(
        id=document.id,
        number=document.number,
        kind=document.kind,
        status=document.status,
        template_version_id=kept.template_version_id,
        template_version=template_version,
        account_id=kept.account_id,
        customer=kept.customer,
        data=kept.data,
        currency=document.currency,
        totals=kept.totals,
        external_ref=document.external_ref,
        current_version=version,
        clauses=clauses,
    )
