"""Which signed licences the renewals sweep must look at closely. Reading a licence as
amended costs several queries, so over a hundred thousand licences the sweep first picks,
from three light queries, those whose renewal could need anything: a licence whose own
term ends within the window, one with an amendment (which may have moved its end), and
one whose renewal is still open. Any other licence's renewal is either not due or signed
or withdrawn and in step, which the close look would have left alone too."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.assembly.schemas import Term
from app.documents.models import AMENDMENT, CANCELLED, RENEWAL, SIGNED, Document


def licences_to_sweep(
    session: Session, today: date, horizon: date, part: tuple[int, int] = (0, 1)
) -> list[uuid.UUID]:
    """The signed licences to look at, oldest first; `part` (index, count) takes one share
    of them, split by id, so that several workers can sweep side by side."""
    index, count = part
    terms = session.execute(
        select(Document.id, Document.data["term"])
        .where(Document.kind == "licence", Document.status == SIGNED)
        .order_by(Document.created_at, Document.id)
    ).all()
    amended = set(
        session.scalars(select(Document.parent_id).where(Document.relation == AMENDMENT).distinct())
    )
    open_renewal = set(
        session.scalars(
            select(Document.parent_id).where(
                Document.relation == RENEWAL, Document.status.not_in((SIGNED, CANCELLED))
            )
        )
    )
    return [
        licence_id
        for licence_id, term in terms
        if licence_id.int % count == index
        and (
            licence_id in amended
            or licence_id in open_renewal
            or today <= Term.model_validate(term).end <= horizon
        )
    ]
