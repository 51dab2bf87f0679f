"""Amending a signed licence, and the licence as amended.

An amendment is made from the licence as it stands after its signed amendments: titles
removed must be licensed now, titles added must not be, a new end date must lie after the
current one. Each title added or removed with a price is charged or credited for the rest
of its licence year, by the configured day count."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from pydantic import Field, ValidationError, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.assembly.consolidation import Consolidated, SignedAmendment, consolidate, title_key
from app.assembly.document import LOCALES, Formatter
from app.assembly.licence import licence_year
from app.assembly.proration import prorate
from app.assembly.schemas import AmendmentData, FeeLineIn, LicenceData, Strict, TitleIn
from app.assembly.tax import GIVEN
from app.documents.models import AMENDMENT, SIGNED, Document
from app.documents.services import Parent, create_document, get_document
from app.errors import Conflict, FieldError, InvalidInput
from app.signing.models import Envelope
from app.uow import UnitOfWork
from app.users.models import User
from app.validation import field_errors

AMENDMENT_TEMPLATE = "amendment"


class TitleRef(Strict):
    """A licensed title, named by ISSN, eISSN or its exact title."""

    issn: str | None = Field(default=None, title="ISSN", max_length=20)
    eissn: str | None = Field(default=None, title="eISSN", max_length=20)
    title: str | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _names_something(self) -> TitleRef:
        if not (self.issn or self.eissn or self.title):
            raise ValueError("name the title by issn, eissn or title")
        return self

    def matches(self, title: TitleIn) -> bool:
        if self.issn or self.eissn:
            return bool(
                (self.issn and self.issn in (title.issn, title.eissn))
                or (self.eissn and self.eissn in (title.issn, title.eissn))
            )
        return (self.title or "").casefold() == title.title.casefold()


class AmendRequest(Strict):
    """What changes: titles added or removed, fees, the end of the term."""

    effective_date: date
    titles_added: list[TitleIn] = Field(default_factory=list, max_length=20_000)
    titles_removed: list[TitleRef] = Field(default_factory=list, max_length=20_000)
    lines: list[FeeLineIn] = Field(
        default_factory=list, max_length=500, description="Other fees the amendment charges"
    )
    new_end_date: date | None = None
    language: str | None = Field(default=None, pattern=r"^(en|nl)$")
    po_number: str | None = Field(default=None, max_length=100)
    notes: str = Field(default="", max_length=4000)

    @model_validator(mode="after")
    def _changes_something(self) -> AmendRequest:
        if not (self.titles_added or self.titles_removed or self.lines or self.new_end_date):
            raise ValueError("an amendment adds or removes titles, changes fees or the term")
        return self


@dataclass(frozen=True)
class AsAmended:
    licence: Document
    data: LicenceData
    signed_on: date
    consolidated: Consolidated


def signed_on(session: Session, document: Document) -> date:
    """The day the last signature completed the document."""
    completed = session.scalar(
        select(Envelope.completed_at)
        .where(Envelope.document_id == document.id, Envelope.completed_at.is_not(None))
        .order_by(Envelope.completed_at.desc())
        .limit(1)
    )
    return completed.date() if completed else date.fromisoformat(document.data["issued_on"])


def _stored_data(document: Document, model: type[Any]) -> Any:
    return model.model_validate({k: v for k, v in document.data.items() if k != "issued_on"})


def as_amended(session: Session, licence_id: uuid.UUID) -> AsAmended:
    """The licence after every signed amendment, in the order they take effect."""
    licence = get_document(session, licence_id)
    if licence.kind != "licence":
        raise Conflict(f"{licence.number} is a {licence.kind}, not a licence agreement")
    if licence.status != SIGNED:
        raise Conflict(f"licence {licence.number} is {licence.status}; only a signed one stands")
    amendments = session.scalars(
        select(Document).where(
            Document.parent_id == licence.id,
            Document.relation == AMENDMENT,
            Document.status == SIGNED,
        )
    )
    signed = [
        SignedAmendment(
            number=a.number,
            signed_on=signed_on(session, a),
            data=_stored_data(a, AmendmentData),
            net=Decimal(a.totals["net"]),
        )
        for a in amendments
    ]
    data = _stored_data(licence, LicenceData)
    return AsAmended(licence, data, signed_on(session, licence), consolidate(data, signed))


def _changes(
    request: AmendRequest, current: Consolidated
) -> tuple[list[TitleIn], list[FieldError]]:
    """The licensed titles the request removes, and what it asks that cannot be."""
    errors = []
    if not current.start <= request.effective_date <= current.end:
        errors.append(
            FieldError(
                "/effective_date",
                f"the licence runs from {current.start} to {current.end}",
            )
        )
    removed = []
    for index, ref in enumerate(request.titles_removed):
        found = [t for t in current.titles if ref.matches(t)]
        if not found:
            errors.append(FieldError(f"/titles_removed/{index}", "not licensed now"))
        removed.extend(found[:1])
    for index, title in enumerate(request.titles_added):
        if current.has_title(title):
            errors.append(FieldError(f"/titles_added/{index}", "already licensed"))
    keys = [title_key(t) for t in request.titles_added]
    errors.extend(
        FieldError(f"/titles_added/{index}", "listed twice")
        for index, key in enumerate(keys)
        if key in keys[:index]
    )
    if request.new_end_date is not None and request.new_end_date <= current.end:
        errors.append(FieldError("/new_end_date", f"the term already runs to {current.end}"))
    return removed, errors


def _prorated_lines(
    uow: UnitOfWork,
    request: AmendRequest,
    removed: list[TitleIn],
    current: Consolidated,
    *,
    currency: str,
    language: str,
) -> list[dict[str, Any]]:
    year_start, year_end = licence_year(current.start, request.effective_date)
    year_end = min(year_end, current.end)
    fmt = Formatter(LOCALES[language], currency)
    lines = []
    for sign, titles in ((1, request.titles_added), (-1, removed)):
        for title in titles:
            if not title.price:
                continue
            part = prorate(
                title.price,
                start=request.effective_date,
                year_start=year_start,
                year_end=year_end,
                day_count=uow.settings.day_count,
                currency=currency,
            )
            what = "" if sign > 0 else "credit: "
            lines.append(
                {
                    "description": f"{what}{title.title}, {fmt.date(part.start)} – "
                    f"{fmt.date(part.end)} ({part.days}/{part.basis} days, "
                    f"{uow.settings.day_count})",
                    "unit_price": str(sign * part.amount),
                    "quantity": 1,
                }
            )
    return lines


def amend(uow: UnitOfWork, licence_id: uuid.UUID, request: Any, *, actor: User) -> uuid.UUID:
    """Create the amendment document of a signed licence from the changes asked for."""
    try:
        asked = AmendRequest.model_validate(request)
    except ValidationError as exc:
        raise InvalidInput(
            "the amendment is not valid; see errors", field_errors(exc, request)
        ) from exc
    with uow:
        current = as_amended(uow.session, licence_id)
        removed, errors = _changes(asked, current.consolidated)
        if errors:
            raise InvalidInput("the amendment does not fit the licence as it stands", errors)
        licence = current.licence
        language = asked.language or current.data.language
        lines = _prorated_lines(
            uow,
            asked,
            removed,
            current.consolidated,
            currency=licence.currency,
            language=language,
        )
        customer = {k: v for k, v in licence.customer.items() if k != "account_id"}
        data = {
            "account": str(licence.account_id) if licence.account_id else customer,
            "currency": licence.currency,
            "language": language,
            "jurisdiction": licence.data.get("jurisdiction"),
            "po_number": asked.po_number,
            "notes": asked.notes,
            "agreement": {
                "number": licence.number,
                "date": current.signed_on.isoformat(),
                "earlier_amendments": [a.number for a in current.consolidated.amendments],
            },
            "effective_date": asked.effective_date.isoformat(),
            "titles_added": [t.model_dump(mode="json") for t in asked.titles_added],
            "titles_removed": [t.model_dump(mode="json") for t in removed],
            "lines": lines + [line.model_dump(mode="json") for line in asked.lines],
            "new_end_date": asked.new_end_date.isoformat() if asked.new_end_date else None,
            # The licence's own rate only where it was given; else the rules tax each line.
            "tax_rate_percent": licence.totals.get("tax_rate_percent")
            if licence.totals.get("tax_treatment") == GIVEN
            else None,
        }
        external_ref = licence.external_ref
    return create_document(
        uow,
        template=AMENDMENT_TEMPLATE,
        data=data,
        external_ref=external_ref,
        actor=actor,
        parent=Parent(licence_id, AMENDMENT),
    )


class TitlesInForce(Protocol):
    """The licence's titles for a year, as its title schedule holds them
    (app.titles.schedule.Schedule)."""

    @property
    def year(self) -> int: ...
    @property
    def source(self) -> str: ...
    @property
    def number(self) -> str: ...
    @property
    def version(self) -> int: ...
    @property
    def titles(self) -> list[TitleIn]: ...
    @property
    def added(self) -> tuple[tuple[str, TitleIn], ...]: ...
    @property
    def removed(self) -> tuple[tuple[str, TitleIn], ...]: ...


def as_amended_view(view: AsAmended, in_force: TitlesInForce) -> dict[str, Any]:
    """The consolidated licence as figures a page, a PDF and the API show alike; its
    titles are those the title schedule holds for a year, so that the view, the schedule
    and the year's exports never differ."""
    licence, current = view.licence, view.consolidated
    added_by = {title_key(t): number for number, t in in_force.added}
    return {
        "licence": {
            "id": str(licence.id),
            "number": licence.number,
            "customer": licence.customer["name"],
            "currency": licence.currency,
            "signed_on": view.signed_on,
            "start": current.start,
            "original_end": view.data.term.end,
            "end": current.end,
        },
        "amendments": [
            {
                "number": a.number,
                "signed_on": a.signed_on,
                "effective_date": a.data.effective_date,
                "titles_added": len(a.data.titles_added),
                "titles_removed": len(a.data.titles_removed),
                "new_end_date": a.data.new_end_date,
                "net": str(a.net),
            }
            for a in current.amendments
        ],
        "fees_by_year": [
            {"year": y["year"], "starts": y["starts"], "net": y["subtotal"], "total": y["total"]}
            for y in licence.totals.get("years", [])
        ],
        "annual_title_fees": str(
            sum((t.price for t in in_force.titles if t.price is not None), Decimal(0))
        ),
        "amendment_charges": str(current.one_off_fees),
        "titles": [
            {
                "title": t.title,
                "issn": t.issn,
                "eissn": t.eissn,
                "subject": t.subject,
                "price": str(t.price) if t.price is not None else None,
                "added_by": added_by.get(title_key(t)),
            }
            for t in in_force.titles
        ],
        "titles_removed": [
            {"title": t.title, "issn": t.issn, "removed_by": number}
            for number, t in in_force.removed
        ],
        "titles_in_force": {
            "year": in_force.year,
            "source": in_force.source,
            "number": in_force.number,
            "version": in_force.version,
            "count": len(in_force.titles),
        },
    }
