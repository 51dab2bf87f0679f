"""A licence's title schedule, one history: for each year of the term, the titles the
licence holds then. The latest list uploaded for the year where there is one, changed by
the amendments signed after it was uploaded and in effect by the end of that year; else
the licence's own titles as amended by the signed amendments in effect by then. The
licence as amended and the year's KBART, CSV and XLSX read it too, and so does the
year-on-year comparison: a year without an uploaded list is compared with the titles the
licence and its amendments name."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.assembly.consolidation import SignedAmendment, consolidate, title_key
from app.assembly.schemas import AmendmentData, LicenceData, TitleIn, TitleListData
from app.db import utcnow
from app.documents.as_amended import as_amended_view
from app.documents.contracts import as_amended, signed_on
from app.documents.models import AMENDMENT, SIGNED, Document
from app.documents.records import get_document
from app.errors import NotFound
from app.signing.models import Envelope
from app.storage.interfaces import BlobStorage
from app.titles.comparison import TitleListComparison, compare_titles
from app.titles.long_lists import KEPT_AS_KBART
from app.titles.services import licence_of, term_years, title_lists
from app.titles.streaming import TitleStream

LIST, LICENCE = "list", "licence"


@dataclass(frozen=True)
class Schedule:
    year: int
    source: str
    """LIST (an uploaded list) or LICENCE (the licence's titles as amended)."""
    number: str
    """The list's number, or the licence's."""
    version: int
    """The list's version in its year; 0 for the licence's own titles."""
    titles: list[TitleIn]
    amendments: tuple[str, ...] = ()
    """The amendments that changed the licence's titles by then."""
    added: tuple[tuple[str, TitleIn], ...] = ()
    """The titles those amendments added, each with the amendment's number."""
    removed: tuple[tuple[str, TitleIn], ...] = ()
    stored_kbart: bytes | None = None
    """A long list's KBART as stored, which is the year's KBART."""

    @property
    def count(self) -> int:
        return len(self.titles)


def title_schedule(
    session: Session,
    licence_id: uuid.UUID,
    year: int,
    *,
    storage: BlobStorage,
    read_long_list: bool = True,
) -> Schedule:
    """The licence's titles for `year`; NotFound outside its term without a list. A long
    list's titles are read from its stored KBART, unless `read_long_list` is False (for
    its KBART, which is that file: then `titles` is empty and `stored_kbart` set)."""
    licence = licence_of(session, licence_id)
    versions = [v for v in title_lists(session, licence_id) if v.year == year]
    if versions:
        latest = versions[-1]
        document = get_document(session, latest.document_id)
        later = _signed_since(session, licence, document.created_at, year)
        kbart: bytes | None = None
        if document.data.get("kept_as") == KEPT_AS_KBART:
            kbart = _stored_kbart(document, storage)
            read = read_long_list or bool(later)
            titles = list(TitleStream(io.StringIO(kbart.decode("utf-8")))) if read else []
        else:
            titles = TitleListData.model_validate(
                {k: v for k, v in document.data.items() if k not in ("issued_on", "title_count")}
            ).titles
        if not later:
            return Schedule(year, LIST, latest.number, latest.version, titles, stored_kbart=kbart)
        titles, added, removed = _amended(titles, later)
        changed = tuple(dict.fromkeys(n for n, _ in [*added, *removed]))
        return Schedule(year, LIST, latest.number, latest.version, titles, changed, added, removed)
    if licence.status != SIGNED or year not in _years_as_amended(session, licence):
        raise NotFound(f"the licence has no title list for {year}")
    data = LicenceData.model_validate({k: v for k, v in licence.data.items() if k != "issued_on"})
    amendments = [
        a for a in _signed_amendments(session, licence) if a.data.effective_date.year <= year
    ]
    consolidated = consolidate(data, amendments)
    changed = tuple(
        dict.fromkeys(n for n, _ in [*consolidated.added_titles, *consolidated.removed_titles])
    )
    return Schedule(
        year,
        LICENCE,
        licence.number,
        0,
        consolidated.titles,
        changed,
        tuple(consolidated.added_titles),
        tuple(consolidated.removed_titles),
    )


def licence_as_amended(
    session: Session, licence_id: uuid.UUID, year: int | None = None, *, storage: BlobStorage
) -> dict[str, Any]:
    """The licence as amended, with the titles its schedule holds for `year` (by default
    the year they last changed)."""
    view = as_amended(session, licence_id)
    in_force = title_schedule(
        session, licence_id, year or latest_year(session, licence_id), storage=storage
    )
    return as_amended_view(view, in_force)


def _signed_since(
    session: Session, licence: Document, since: datetime, year: int
) -> list[SignedAmendment]:
    """The licence's amendments signed after `since` (a list's upload) and in effect by
    the end of `year`: a list uploaded for a year is amended by them as the licence is."""
    numbers = set(
        session.scalars(
            select(Document.number)
            .join(Envelope, Envelope.document_id == Document.id)
            .where(
                Document.parent_id == licence.id,
                Document.relation == AMENDMENT,
                Document.status == SIGNED,
                Envelope.completed_at > since,
            )
        )
    )
    return [
        a
        for a in _signed_amendments(session, licence)
        if a.number in numbers and a.data.effective_date.year <= year
    ]


def _amended(
    titles: list[TitleIn], amendments: list[SignedAmendment]
) -> tuple[list[TitleIn], tuple[tuple[str, TitleIn], ...], tuple[tuple[str, TitleIn], ...]]:
    """A list's titles after the amendments, in the order they take effect, as
    `consolidate` changes the licence's: the titles, those added and those removed."""
    by_key = {title_key(t): t for t in titles}
    added: list[tuple[str, TitleIn]] = []
    removed: list[tuple[str, TitleIn]] = []
    for a in sorted(amendments, key=lambda a: (a.data.effective_date, a.signed_on, a.number)):
        for title in a.data.titles_removed:
            if by_key.pop(title_key(title), None) is not None:
                removed.append((a.number, title))
        for title in a.data.titles_added:
            by_key[title_key(title)] = title
            added.append((a.number, title))
    return list(by_key.values()), tuple(added), tuple(removed)


def _stored_kbart(document: Document, storage: BlobStorage) -> bytes:
    file = document.file("kbart")
    assert file is not None, f"{document.number} is kept as KBART"
    return storage.get(file.storage_key, file.storage_version_id, sha256=file.sha256)


def _years_as_amended(session: Session, licence: Document) -> range:
    """The years of the term, to the end a signed amendment may have moved it to."""
    years = term_years(licence) or range(0)
    ends = [
        a.data.new_end_date.year
        for a in _signed_amendments(session, licence)
        if a.data.new_end_date is not None
    ]
    return range(years.start, max([years.stop - 1, *ends]) + 1) if years else years


def latest_year(session: Session, licence_id: uuid.UUID) -> int:
    """The year the licence's titles last changed (by a signed amendment taking effect or
    an uploaded list), within its term: the year the licence "as amended" shows."""
    licence = licence_of(session, licence_id)
    years = _years_as_amended(session, licence)
    changed = [a.data.effective_date.year for a in _signed_amendments(session, licence)]
    changed += [v.year for v in title_lists(session, licence_id)]
    inside = [y for y in changed if y in years]
    return max(inside) if inside else (years.start if years else utcnow().year)


def _signed_amendments(session: Session, licence: Document) -> list[SignedAmendment]:
    documents = session.scalars(
        select(Document).where(
            Document.parent_id == licence.id,
            Document.relation == AMENDMENT,
            Document.status == SIGNED,
        )
    )
    return [
        SignedAmendment(
            number=a.number,
            signed_on=signed_on(session, a),
            data=AmendmentData.model_validate(
                {k: v for k, v in a.data.items() if k != "issued_on"}
            ),
            net=Decimal(a.totals["net"]),
        )
        for a in documents
    ]


@dataclass(frozen=True)
class YearOnYear:
    licence_number: str
    customer: str
    currency: str
    before: Schedule
    after: Schedule
    comparison: TitleListComparison


def year_on_year(
    session: Session, licence_id: uuid.UUID, *, before: int, after: int, storage: BlobStorage
) -> YearOnYear:
    """One year's schedule against another's: added, removed, repriced, moved between
    packages."""
    licence = licence_of(session, licence_id)
    old = title_schedule(session, licence_id, before, storage=storage)
    new = title_schedule(session, licence_id, after, storage=storage)
    return YearOnYear(
        licence.number,
        licence.customer["name"],
        licence.currency,
        old,
        new,
        compare_titles(old.titles, new.titles),
    )


def _ref(schedule: Schedule) -> dict[str, Any]:
    return {
        "year": schedule.year,
        "source": schedule.source,
        "version": schedule.version,
        "number": schedule.number,
        "count": schedule.count,
    }


def year_on_year_view(result: YearOnYear) -> dict[str, Any]:
    c = result.comparison

    def title(t: TitleIn) -> dict[str, Any]:
        return {
            "title": t.title,
            "issn": t.issn,
            "eissn": t.eissn,
            "isbn": t.isbn,
            "eisbn": t.eisbn,
            "package": t.package,
            "price": str(t.price) if t.price is not None else None,
        }

    def money(value: Any) -> str | None:
        return None if value is None else str(value)

    return {
        "licence": result.licence_number,
        "customer": result.customer,
        "currency": result.currency,
        "before": _ref(result.before),
        "after": _ref(result.after),
        "added": [title(t) for t in c.added],
        "removed": [title(t) for t in c.removed],
        "price_changed": [
            {
                "title": p.title,
                "old": money(p.old),
                "new": money(p.new),
                "difference": money(p.difference),
            }
            for p in c.price_changed
        ],
        "moved": [{"title": m.title, "old": m.old, "new": m.new} for m in c.moved],
        "unchanged": c.unchanged_count,
    }


def schedule_view(schedule: Schedule) -> dict[str, Any]:
    return {
        **_ref(schedule),
        "amendments": list(schedule.amendments),
        "titles": [t.model_dump(mode="json", exclude_defaults=True) for t in schedule.titles],
    }
