"""Read models: a document with everything a person or a CRM wants to see about it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Account
from app.audit import services as audit
from app.audit.models import AuditEvent
from app.billing.models import Cancellation
from app.documents.models import Document
from app.documents.records import get_document
from app.signing.models import Envelope, Signer


@dataclass(frozen=True)
class DocumentOverview:
    document: Document
    signers: list[Signer]
    history: list[AuditEvent]
    status_reason: str
    """Why the document waits (DocuSign busy) or came back (declined, voided), if it did."""
    cancellations: list[Cancellation]
    account: Account | None


def document_overview(session: Session, document_id: uuid.UUID) -> DocumentOverview:
    document = get_document(session, document_id)
    envelope = session.scalar(
        select(Envelope)
        .where(Envelope.document_id == document_id)
        .order_by(Envelope.created_at.desc())
        .limit(1)
    )
    return DocumentOverview(
        document=document,
        signers=list(envelope.signers) if envelope else [],
        history=audit.events_for(session, document),
        status_reason=envelope.reason if envelope else "",
        account=session.get(Account, document.account_id) if document.account_id else None,
        cancellations=list(
            session.scalars(
                select(Cancellation)
                .where(Cancellation.document_id == document_id)
                .order_by(Cancellation.created_at)
            )
        ),
    )
