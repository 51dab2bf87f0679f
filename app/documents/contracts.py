"""A signed licence as a subscription contract: as signed, and as amended by every signed
amendment, from the documents' own data. Everything that prices, invoices, credits or
renews a licence reads it from here."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.assembly.consolidation import Consolidated, SignedAmendment, consolidate
from app.assembly.schemas import AmendmentData, LicenceData
from app.assembly.subscription.contract import Contract
from app.assembly.subscription.documents import as_amended as amended_contract
from app.assembly.subscription.documents import licence_contract
from app.assembly.subscription.invoices import RateOf
from app.assembly.tax import TaxRules
from app.documents.models import AMENDMENT, CANCELLED, SIGNED, Document
from app.documents.records import get_document
from app.errors import Conflict
from app.signing.models import Envelope


@dataclass(frozen=True)
class AsAmended:
    licence: Document
    data: LicenceData
    signed_on: date
    consolidated: Consolidated
    """The titles licensed now, and which amendment added or removed each."""
    original: Contract
    contract: Contract
    """The contract after every signed amendment."""

    @property
    def rate_of(self) -> RateOf:
        return document_rates(self.licence)


def document_rates(document: Document) -> RateOf:
    """Each line's rate on a day, by the tax rules the document was made with."""
    rules = TaxRules.from_record(document.totals)
    return lambda category, day: rules.for_line(category, day).rate_percent


def signed_on(session: Session, document: Document) -> date:
    """The day the last signature completed the document."""
    completed = session.scalar(
        select(Envelope.completed_at)
        .where(Envelope.document_id == document.id, Envelope.completed_at.is_not(None))
        .order_by(Envelope.completed_at.desc())
        .limit(1)
    )
    return completed.date() if completed else date.fromisoformat(document.data["issued_on"])


def stored_data(document: Document, model: type[Any]) -> Any:
    return model.model_validate({k: v for k, v in document.data.items() if k != "issued_on"})


def signed_amendments(session: Session, licence: Document) -> list[Document]:
    return list(
        session.scalars(
            select(Document).where(
                Document.parent_id == licence.id,
                Document.relation == AMENDMENT,
                Document.status == SIGNED,
            )
        )
    )


def as_amended(
    session: Session, licence_id: uuid.UUID, *, cancelled_too: bool = False
) -> AsAmended:
    """The licence after every signed amendment, in the order they take effect.
    `cancelled_too`: a cancelled licence as well (billing credits and ends it from its
    cancellation's date)."""
    licence = get_document(session, licence_id)
    if licence.kind != "licence":
        raise Conflict(f"{licence.number} is a {licence.kind}, not a licence agreement")
    if licence.status != SIGNED and not (cancelled_too and licence.status == CANCELLED):
        raise Conflict(f"licence {licence.number} is {licence.status}; only a signed one stands")
    amendments = [
        (a, signed_on(session, a), stored_data(a, AmendmentData))
        for a in signed_amendments(session, licence)
    ]
    data = stored_data(licence, LicenceData)
    original = licence_contract(
        data, licence.totals["lines"], day_count=licence.totals.get("day_count", "actual/365")
    )
    return AsAmended(
        licence=licence,
        data=data,
        signed_on=signed_on(session, licence),
        consolidated=consolidate(
            data,
            [SignedAmendment(a.number, on, d, Decimal(a.totals["net"])) for a, on, d in amendments],
        ),
        original=original,
        contract=amended_contract(original, [(a.number, d) for a, _, d in amendments]),
    )
