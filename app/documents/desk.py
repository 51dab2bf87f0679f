"""A support executive's day at a glance: drafts, what waits for approval, what is out for
signature and with whom, quotes about to expire, renewals due, and what was signed lately
and whether it has gone to invoicing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.billing import services as billing
from app.db import utcnow
from app.documents import validity
from app.documents.models import (
    DRAFT,
    PENDING_APPROVAL,
    REJECTED,
    RENEWAL,
    SENDING,
    SENT,
    SIGNED,
    Document,
)
from app.documents.records import outstanding_approvals
from app.signing.models import Envelope, Signer
from app.users.models import User

EXPIRING_DAYS = 14
RECENT_DAYS = 30


@dataclass(frozen=True)
class OutForSignature:
    document: Document
    signers: list[Signer]


@dataclass(frozen=True)
class Desk:
    drafts: list[Document]
    awaiting_approval: list[tuple[Document, list[str]]]
    """Each with the roles it waits for."""
    out_for_signature: list[OutForSignature]
    expiring: list[Document]
    renewals_due: list[Document]
    recently_signed: list[tuple[Document, bool]]
    """Each with whether its invoicing trigger went out."""


def _mine(session: Session, user: User, *statuses: str) -> list[Document]:
    return list(
        session.scalars(
            select(Document)
            .where(Document.created_by_id == user.id, Document.status.in_(statuses))
            .order_by(Document.updated_at.desc())
        )
    )


def desk_for(session: Session, user: User) -> Desk:
    pending = _mine(session, user, PENDING_APPROVAL)
    out = _mine(session, user, SENDING, SENT)
    envelopes = {
        e.document_id: e
        for e in session.scalars(
            select(Envelope)
            .where(Envelope.document_id.in_([d.id for d in out]))
            .order_by(Envelope.created_at)
        )
    }
    since = utcnow() - timedelta(days=RECENT_DAYS)
    signed = [d for d in _mine(session, user, SIGNED) if d.updated_at >= since]
    invoiced = billing.invoiced_at(session, [d.id for d in signed])
    renewals = [
        d for d in _mine(session, user, DRAFT, PENDING_APPROVAL, SENT) if d.relation == RENEWAL
    ]
    return Desk(
        drafts=_mine(session, user, DRAFT, REJECTED),
        awaiting_approval=[
            (d, sorted({r["role"] for r in outstanding_approvals(d)})) for d in pending
        ],
        out_for_signature=[
            OutForSignature(d, list(envelopes[d.id].signers) if d.id in envelopes else [])
            for d in out
        ],
        expiring=validity.expiring(session, user, days=EXPIRING_DAYS),
        renewals_due=renewals,
        recently_signed=[(d, d.id in invoiced) for d in signed],
    )
