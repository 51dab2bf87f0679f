"""A licence's title schedule for a year as the files a knowledge base and a spreadsheet
read: KBART (written a title at a time), CSV and XLSX, from the same schedule as the
schedule's page, the comparison and the licence as amended."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from app.assembly.schemas import TitleIn
from app.rendering.tables import Table, render_csv, render_xlsx, title_table
from app.titles.kbart import extra_columns, kbart_filename, kbart_rows
from app.titles.schedule import Schedule

CONTENT_TYPES = {
    "kbart": "text/tab-separated-values; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_BATCH = 64 * 1024


@dataclass(frozen=True)
class ScheduleFile:
    filename: str
    content_type: str
    chunks: Iterator[bytes]


def schedule_file(
    schedule: Schedule,
    kind: str,
    *,
    seller: str,
    customer: str,
    currency: str,
    on: date,
    labels: Mapping[str, str] | None = None,
) -> ScheduleFile:
    """The year's titles as `kind` (kbart, csv or xlsx), named for the licence and year;
    a spreadsheet headed with `labels` (the title list's, in the licence's language)."""
    if kind == "kbart":
        name = kbart_filename(seller, customer or "Global", f"{schedule.number}{schedule.year}", on)
        stored = schedule.stored_kbart
        chunks = (
            (stored[at : at + _BATCH] for at in range(0, len(stored), _BATCH))
            if stored is not None
            else kbart_chunks(
                schedule.titles, publisher=seller, extra=extra_columns(schedule.titles)
            )
        )
        return ScheduleFile(name, CONTENT_TYPES[kind], chunks)
    table = _table(schedule, currency, labels or {})
    data = render_csv(table) if kind == "csv" else render_xlsx(table)
    name = f"{schedule.number}-titles-{schedule.year}.{kind}"
    return ScheduleFile(name, CONTENT_TYPES[kind], iter([data]))


def kbart_chunks(
    titles: Iterable[TitleIn], *, publisher: str, extra: Sequence[str]
) -> Iterator[bytes]:
    """The KBART file in pieces of some 64 KiB, so a long list is sent as it is written."""
    lines: list[str] = []
    size = 0
    for row in kbart_rows(titles, publisher=publisher, extra=extra):
        line = "\t".join(row) + "\n"
        lines.append(line)
        size += len(line)
        if size >= _BATCH:
            yield "".join(lines).encode("utf-8")
            lines, size = [], 0
    if lines:
        yield "".join(lines).encode("utf-8")


def _table(schedule: Schedule, currency: str, labels: Mapping[str, str]) -> Table:
    context = {"label": labels, "doc": {"currency": currency}, "title_items": schedule.titles}
    return title_table(context)
