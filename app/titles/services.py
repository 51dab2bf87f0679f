"""A licence's title lists: imported from a file, versioned per licence and year (the
schedule and the year-on-year comparison read them: app.titles.schedule)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.assembly.schemas import Term
from app.documents.creating import render_new_document
from app.documents.models import SIGNED, Document
from app.documents.records import Parent, get_document
from app.errors import Conflict, FieldError, InvalidInput
from app.library.templates import package_for, published_version
from app.titles.importing import TitleImportError, read_title_list
from app.titles.long_lists import check_long_kbart, is_long_kbart, record_long_list
from app.titles.rows import RowProblem
from app.uow import UnitOfWork
from app.users.models import User

TITLE_LIST = "title_list"
TITLE_LIST_TEMPLATE = "title-list"
MAX_PROBLEMS_SHOWN = 200


@dataclass(frozen=True)
class TitleListVersion:
    document_id: uuid.UUID
    number: str
    year: int
    version: int
    count: int
    created_at: datetime


def licence_of(session: Session, licence_id: uuid.UUID) -> Document:
    licence = get_document(session, licence_id)
    if licence.kind != "licence":
        raise Conflict(f"{licence.number} is a {licence.kind}; title lists belong to licences")
    return licence


def list_labels(session: Session, licence: Document, cache_dir: Path) -> dict[str, str]:
    """The title list template's column names in the licence's language, for the files
    of its schedule."""
    package = package_for(published_version(session, TITLE_LIST_TEMPLATE), cache_dir)
    return package.labels_for(licence.data.get("language", "en"))


def title_lists(session: Session, licence_id: uuid.UUID) -> list[TitleListVersion]:
    """Every title list of a licence, by year, numbered 1, 2, … in the order made."""
    licence_of(session, licence_id)
    documents = session.scalars(
        select(Document)
        .where(Document.parent_id == licence_id, Document.relation == TITLE_LIST)
        .order_by(Document.created_at, Document.number)
    )
    versions: list[TitleListVersion] = []
    for document in documents:
        year = int(document.data["year"])
        version = 1 + sum(1 for v in versions if v.year == year)
        versions.append(
            TitleListVersion(
                document.id,
                document.number,
                year,
                version,
                document.data.get("title_count", len(document.data["titles"])),
                document.created_at,
            )
        )
    return sorted(versions, key=lambda v: (v.year, v.version))


def problem_text(problem: RowProblem) -> str:
    """ "row 4, issn: … (given: 0028-0837)", as a user finds the cell in the file."""
    where = f"row {problem.row}, {problem.column}: " if problem.column else ""
    if not where and problem.row:
        where = f"row {problem.row}: "
    given = f" (given: {problem.value})" if problem.value else ""
    return f"{where}{problem.reason}{given}"


def _problems(error: TitleImportError) -> InvalidInput:
    shown = error.problems[:MAX_PROBLEMS_SHOWN]
    more = len(error.problems) - len(shown)
    return InvalidInput(
        error.message + (f" (the first {len(shown)} are listed)" if more else ""),
        [
            FieldError(
                f"/file/rows/{p.row}" + (f"/{p.column}" if p.column else ""), problem_text(p)
            )
            for p in shown
        ],
    )


def term_years(licence: Document) -> range | None:
    term = licence.data.get("term")
    if not term:
        return None
    parsed = Term.model_validate(term)
    return range(parsed.start.year, parsed.end.year + 1)


@dataclass(frozen=True)
class ImportedList:
    document_id: uuid.UUID
    skipped: list[RowProblem]
    """The rows left out, when the good rows were asked for."""


def import_title_list(
    uow: UnitOfWork,
    licence_id: uuid.UUID,
    *,
    data: bytes,
    filename: str,
    year: int,
    actor: User,
    keep_good: bool = False,
) -> ImportedList:
    """A new version of the licence's list for the year, from an uploaded KBART, CSV or
    XLSX file; every row is checked first, and a bad row imports nothing unless
    `keep_good` asks for the good rows. A KBART file longer than a document holds is
    kept as KBART only (app.titles.long_lists)."""
    if not 2000 <= year <= 2100:
        raise InvalidInput("give the list's year", [FieldError("/year", "a year, e.g. 2027")])
    with uow:
        licence = licence_of(uow.session, licence_id)
        if licence.status != SIGNED:
            raise Conflict(f"licence {licence.number} is {licence.status}, not signed")
        years = term_years(licence)
        if years is not None and year not in years:
            raise InvalidInput(
                f"{year} is outside licence {licence.number}'s term ({years[0]}–{years[-1]})",
                [FieldError("/year", f"a year from {years[0]} to {years[-1]}")],
            )
        customer = {k: v for k, v in licence.customer.items() if k != "account_id"}
        base = {
            "account": str(licence.account_id) if licence.account_id else customer,
            "currency": licence.currency,
            "language": licence.data.get("language", "en"),
            "jurisdiction": licence.data.get("jurisdiction"),
            "reference": licence.number,
            "year": year,
        }
        external_ref = licence.external_ref
    settings = uow.settings
    try:
        long = is_long_kbart(data, filename, document_rows=settings.title_list_document_rows)
    except TitleImportError as exc:
        raise _problems(exc) from exc
    if long:
        try:
            checked = check_long_kbart(
                data,
                publisher=settings.seller_name,
                max_rows=settings.title_list_max_rows,
                keep_good=keep_good,
                limits=settings.upload_limits,
            )
        except TitleImportError as exc:
            raise _problems(exc) from exc
        document_id = record_long_list(
            uow,
            licence_id=licence_id,
            base=base,
            checked=checked,
            actor=actor,
            relation=TITLE_LIST,
            template=TITLE_LIST_TEMPLATE,
        )
        return ImportedList(document_id, checked.skipped)
    try:
        read = read_title_list(
            data,
            filename=filename,
            keep_good=keep_good,
            max_rows=settings.title_list_document_rows,
            max_bytes=settings.title_list_max_bytes,
            limits=settings.upload_limits,
        )
    except TitleImportError as exc:
        raise _problems(exc) from exc
    document_id = render_new_document(
        uow,
        template=TITLE_LIST_TEMPLATE,
        data={**base, "titles": read.rows},
        external_ref=external_ref,
        actor=actor,
        parent=Parent(licence_id, TITLE_LIST),
    )
    return ImportedList(document_id, read.skipped)
