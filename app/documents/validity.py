"""Quote validity: a quote past its `valid_until` date expires, and an expired quote can
be neither sent nor signed. A periodic sweep marks them; sending and signing also check
the date themselves, so a quote expires on time whenever the sweep last ran."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit import services as audit
from app.billing import services as billing
from app.db import utcnow
from app.documents.models import APPROVED, DRAFT, EXPIRED, PENDING_APPROVAL, SENT, Document
from app.errors import Conflict
from app.uow import UnitOfWork
from app.users.models import User

EXPIRABLE = (DRAFT, PENDING_APPROVAL, APPROVED, SENT)


def expires_on(document: Document) -> date | None:
    value = document.data.get("valid_until") if document.kind == "quote" else None
    return date.fromisoformat(value) if value else None


def is_past(document: Document, today: date | None = None) -> bool:
    until = expires_on(document)
    return until is not None and until < (today or utcnow().date())


def ensure_valid(document: Document) -> None:
    """Refuse to send or sign a quote whose validity has run out."""
    if document.status == EXPIRED or is_past(document):
        raise Conflict(
            f"quote {document.number} expired on {expires_on(document)}; make a new quote",
            code="quote_expired",
        )


def expire_quotes(uow: UnitOfWork, today: date | None = None) -> int:
    """Mark every quote past its validity as expired; the number marked."""
    today = today or utcnow().date()
    with uow:
        candidates = uow.session.scalars(
            select(Document)
            .where(
                Document.kind == "quote",
                Document.status.in_(EXPIRABLE),
                # ISO dates compare as text: only the quotes past it, not every open one
                Document.data["valid_until"].as_string() < today.isoformat(),
            )
            .with_for_update(of=Document, skip_locked=True)
        ).all()
        expired = [document for document in candidates if is_past(document, today)]
        for document in expired:
            document.status = EXPIRED
            audit.record_event(
                uow.session,
                tag="document.expired",
                subject=document,
                actor=None,
                data={"valid_until": document.data.get("valid_until")},
            )
            billing.publish(uow, "document.expired", document)
        uow.commit()
        return len(expired)


def expiring(
    session: Session, user: User, *, days: int, today: date | None = None
) -> list[Document]:
    """The user's quotes that expire within `days` days and can still be signed."""
    today = today or utcnow().date()
    horizon = today + timedelta(days=days)
    mine = session.scalars(
        select(Document).where(
            Document.kind == "quote",
            Document.created_by_id == user.id,
            Document.status.in_(EXPIRABLE),
        )
    ).all()
    soon = [d for d in mine if (until := expires_on(d)) is not None and today <= until <= horizon]
    return sorted(soon, key=lambda d: (expires_on(d), d.number))
