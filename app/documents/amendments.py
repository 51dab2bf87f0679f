"""Amending a signed licence, and the licence as amended.

An amendment is made from the licence as it stands after its signed amendments: titles
removed must be licensed now, titles added must not be, a new end date must lie after the
current one. What it changes is worked out by the subscription model from its effective
date to the end of the term, invoice period by invoice period: a title or product added is
charged for the rest of the current period and in full, with the uplift, in every later
one; one removed is credited likewise; an extension is priced as further periods."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from pydantic import Field, ValidationError, model_validator
from sqlalchemy import select

from app.assembly.consolidation import Consolidated, title_key
from app.assembly.schemas import (
    AmendmentData,
    FeeLineIn,
    PriceChange,
    ProductAdded,
    Strict,
    TitleIn,
)
from app.assembly.subscription.contract import ChangeProblem
from app.assembly.subscription.contract import amend as amend_contract
from app.assembly.subscription.documents import amendment_changes, period_changes
from app.assembly.tax import GIVEN
from app.assembly.text import Line, Text
from app.catalogue.models import Product
from app.documents.contracts import AsAmended, as_amended
from app.documents.creating import create_document
from app.documents.models import AMENDMENT, RENEWAL, SIGNED, Document
from app.documents.records import Parent
from app.errors import FieldError, InvalidInput
from app.uow import UnitOfWork
from app.users.models import User
from app.validation import field_errors

AMENDMENT_TEMPLATE = "amendment"


class TitleRef(Strict):
    """A licensed title, named by ISSN, eISSN or its exact title."""

    issn: Line | None = Field(default=None, title="ISSN", max_length=20)
    eissn: Line | None = Field(default=None, title="eISSN", max_length=20)
    title: Line | None = Field(default=None, max_length=500)

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
    """What changes: titles or products added or removed, prices, one-off fees, the end
    of the term."""

    effective_date: date
    titles_added: list[TitleIn] = Field(default_factory=list, max_length=20_000)
    titles_removed: list[TitleRef] = Field(default_factory=list, max_length=20_000)
    products_added: list[ProductAdded] = Field(default_factory=list, max_length=500)
    price_changes: list[PriceChange] = Field(default_factory=list, max_length=500)
    lines: list[FeeLineIn] = Field(
        default_factory=list, max_length=500, description="One-off fees the amendment charges"
    )
    new_end_date: date | None = None
    language: str | None = Field(default=None, max_length=2, pattern=r"^(en|nl)$")
    po_number: Line | None = Field(default=None, max_length=100)
    notes: Text = Field(default="", max_length=4000)

    @model_validator(mode="after")
    def _changes_something(self) -> AmendRequest:
        changes = (
            self.titles_added,
            self.titles_removed,
            self.products_added,
            self.price_changes,
            self.lines,
            self.new_end_date,
        )
        if not any(changes):
            raise ValueError("an amendment adds or removes titles, changes fees or the term")
        return self


def _changes(
    request: AmendRequest, current: Consolidated, renewal: Document | None = None
) -> tuple[list[TitleIn], list[FieldError]]:
    """The licensed titles the request removes, and what it asks that cannot be. The
    licence's renewal, once signed, bounds an extension: the two never overlap."""
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
    elif request.new_end_date is not None and renewal is not None and renewal.status == SIGNED:
        renews_on = date.fromisoformat(renewal.data["term"]["start"])
        if request.new_end_date >= renews_on:
            errors.append(
                FieldError(
                    "/new_end_date",
                    f"the renewal {renewal.number} is signed and starts on {renews_on}; "
                    f"the term cannot run past {renews_on - timedelta(days=1)}",
                )
            )
    return removed, errors


def _period_changes(current: AsAmended, changes: AmendmentData) -> list[dict[str, Any]]:
    """What the changes charge or credit in each invoice period to the end of the term."""
    before = current.contract
    try:
        after = amend_contract(before, amendment_changes(changes, "this amendment", before))
    except ChangeProblem as problem:
        raise InvalidInput(
            "the amendment does not fit the licence as it stands",
            [FieldError(f"/{problem.field}", str(problem))],
        ) from problem
    return period_changes(before, after, changes.effective_date, current.rate_of)


AMENDMENT_LANGUAGES = ("en", "nl")


def _amendment_language(licence_language: str) -> str:
    """The licence's language where the amendment template is written in it, else English."""
    return licence_language if licence_language in AMENDMENT_LANGUAGES else "en"


def _priced_fees(
    uow: UnitOfWork, fees: list[FeeLineIn], currency: str, year: int
) -> list[FeeLineIn]:
    """One-off fees with their prices: a catalogue fee without a price takes the list
    price for the year it falls in (an unknown or unlisted SKU is refused)."""
    skus = [fee.sku for fee in fees if fee.sku and fee.unit_price is None]
    products = {p.sku: p for p in uow.session.scalars(select(Product).where(Product.sku.in_(skus)))}
    priced, errors = [], []
    for index, fee in enumerate(fees):
        if fee.sku is None or fee.unit_price is not None:
            priced.append(fee)
            continue
        product = products.get(fee.sku)
        price = product.price_in(currency, year) if product else None
        if product is None or price is None:
            errors.append(
                FieldError(
                    f"/lines/{index}/sku",
                    f"no list price for {fee.sku!r} in {currency} for {year}",
                    "unknown_sku",
                )
            )
            continue
        priced.append(
            fee.model_copy(
                update={"unit_price": price, "description": fee.description or product.name}
            )
        )
    if errors:
        raise InvalidInput("some fees have no price", errors)
    return priced


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
        renewal = uow.session.scalar(
            select(Document).where(Document.parent_id == licence_id, Document.relation == RENEWAL)
        )
        removed, errors = _changes(asked, current.consolidated, renewal)
        if errors:
            raise InvalidInput("the amendment does not fit the licence as it stands", errors)
        licence = current.licence
        language = asked.language or _amendment_language(current.data.language)
        fees = _priced_fees(uow, asked.lines, licence.currency, asked.effective_date.year)
        changes = AmendmentData.model_validate(
            {
                "account": str(licence.account_id) if licence.account_id else licence.customer,
                "currency": licence.currency,
                "agreement": {"number": licence.number, "date": current.signed_on},
                "effective_date": asked.effective_date,
                "titles_added": asked.titles_added,
                "titles_removed": removed,
                "products_added": asked.products_added,
                "price_changes": asked.price_changes,
                "fees": fees,
                "new_end_date": asked.new_end_date,
            }
        )
        lines = _period_changes(current, changes)
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
                "term_ends_on": current.contract.term.end.isoformat(),
            },
            "effective_date": asked.effective_date.isoformat(),
            "titles_added": [t.model_dump(mode="json") for t in asked.titles_added],
            "titles_removed": [t.model_dump(mode="json") for t in removed],
            "products_added": [p.model_dump(mode="json") for p in asked.products_added],
            "price_changes": [p.model_dump(mode="json") for p in asked.price_changes],
            "fees": [line.model_dump(mode="json") for line in fees],
            "lines": lines,
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
