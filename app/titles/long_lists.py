"""Title lists longer than a document holds (e-book collections of 100,000 titles): a
KBART upload checked a row at a time (app.titles.streaming), kept as the year's list in
our KBART, the titles joined and every field kept, without a PDF, DOCX, XLSX or CSV.
The document's data says how many titles it has and that they are in its KBART file;
the schedule reads them from there, and the year's KBART is that file as stored."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from typing import Any

from app import counters
from app.audit import services as audit
from app.db import utcnow
from app.documents.files import store_file
from app.documents.models import DRAFT, Document
from app.library.templates import published_version
from app.titles.importing import TitleImportError, is_xlsx
from app.titles.kbart import write_kbart
from app.titles.rows import RowProblem
from app.titles.streaming import TitleStream
from app.uow import UnitOfWork
from app.uploads.delimited import UnreadableText, text_lines
from app.uploads.limits import DEFAULT_LIMITS, UploadLimits
from app.users.models import User

KEPT_AS_KBART = "kbart"
"""`data["kept_as"]` of a long list: its titles are in its KBART file only."""


def row_count(data: bytes) -> int:
    """The rows after the header, blank ones too, counted without reading them."""
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    return max(lines - 1, 0)


def is_long_kbart(data: bytes, filename: str, *, document_rows: int) -> bool:
    """A tab-separated file of more rows than a document holds."""
    if is_xlsx(data, filename):
        return False
    header = data[: data.find(b"\n")] if b"\n" in data[:65536] else data[:65536]
    return b"\t" in header and row_count(data) > document_rows


@dataclass(frozen=True)
class CheckedList:
    kbart: bytes
    """Our KBART of the good titles: a line per coverage range, every field kept."""
    count: int
    skipped: list[RowProblem]


def check_long_kbart(
    data: bytes,
    *,
    publisher: str,
    max_rows: int,
    keep_good: bool,
    limits: UploadLimits = DEFAULT_LIMITS,
) -> CheckedList:
    """Every row checked and the good titles written out as KBART, a row at a time; a bad
    row refuses the file unless `keep_good`."""
    if row_count(data) > max_rows:
        raise TitleImportError(
            [RowProblem(0, "", f"the list has more than {max_rows:,} rows (blank rows included)")]
        )
    out = io.BytesIO()
    written = io.TextIOWrapper(out, encoding="utf-8", newline="")
    try:
        stream = TitleStream(text_lines(data), limits)
    except UnreadableText as exc:
        raise TitleImportError([RowProblem(0, "", exc.detail)]) from None
    write_kbart(stream, written, publisher=publisher, extra=stream.extra)
    written.flush()
    if stream.problems and not keep_good:
        raise TitleImportError(stream.problems)
    if not stream.count:
        raise TitleImportError([RowProblem(0, "", "the list has no titles")])
    return CheckedList(out.getvalue(), stream.count, stream.problems)


def record_long_list(
    uow: UnitOfWork,
    *,
    licence_id: uuid.UUID,
    base: dict[str, Any],
    checked: CheckedList,
    actor: User,
    relation: str,
    template: str,
) -> uuid.UUID:
    """The list as a document of the licence whose one file is its KBART; numbered as
    other title lists are (see `counters.reserve`)."""
    issued_on = utcnow().date()
    counter = f"document:title-list:{issued_on.year}"
    sequence = counters.reserve(uow.fork(), counter)
    try:
        with uow:
            licence = uow.session.get(Document, licence_id)
            assert licence is not None
            zero = "0.00"
            document = Document(
                id=uuid.uuid4(),
                number=f"T-{issued_on.year}-{sequence:06d}",
                kind="title-list",
                status=DRAFT,
                template_version_id=published_version(uow.session, template).id,
                account_id=licence.account_id,
                customer=dict(licence.customer),
                data={
                    **base,
                    "titles": [],
                    "title_count": checked.count,
                    "kept_as": KEPT_AS_KBART,
                    "issued_on": issued_on.isoformat(),
                },
                currency=licence.currency,
                totals={
                    **dict.fromkeys(("subtotal", "discount", "net", "tax", "total"), zero),
                    "currency": licence.currency,
                    "lines": [],
                },
                approvals_required=[],
                external_ref=licence.external_ref,
                created_by_id=actor.id,
                current_version=1,
                parent_id=licence_id,
                relation=relation,
                created_via="api",
            )
            uow.session.add(document)
            uow.session.flush()
            store_file(uow, document, kind="kbart", version=1, data=checked.kbart)
            audit.record_event(
                uow.session,
                tag="document.created",
                subject=document,
                actor=actor,
                data={
                    "number": document.number,
                    "parent": {"document_id": str(licence_id), "relation": relation},
                    "titles": checked.count,
                    "kept_as": KEPT_AS_KBART,
                },
            )
            counters.confirm(uow.session, counter, sequence)
            uow.commit()
            return document.id
    except BaseException:
        counters.release(uow.fork(), counter, sequence)
        raise
