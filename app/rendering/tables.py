"""Title lists as spreadsheets: XLSX (streamed, so 20,000 rows stay small in memory) and
CSV, headed in the document's language, a row per coverage range as in KBART. Both read
back into the same list: the importer knows these headers in every language shipped."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from app.assembly.schemas import TitleIn
from app.assembly.title_fields import Coverage
from app.rendering.packages import dated_package

# (the field, the package label naming the column, the heading without a label, width)
_COLUMNS = (
    ("title", "col_title", "Title", 48),
    ("issn", "issn", "ISSN", 11),
    ("eissn", "eissn", "eISSN", 11),
    ("isbn", "isbn", "ISBN", 15),
    ("eisbn", "eisbn", "eISBN", 15),
    ("publication_type", "publication_type", "Type", 11),
    ("publisher", "publisher", "Publisher", 24),
    ("subject", "subject", "Subject", 18),
    ("package", "package", "Package", 14),
    ("first_date", "coverage_from", "Coverage from", 13),
    ("first_volume", "volume_from", "First volume", 9),
    ("first_issue", "issue_from", "First issue", 9),
    ("last_date", "coverage_to", "Coverage to", 13),
    ("last_volume", "volume_to", "Last volume", 9),
    ("last_issue", "issue_to", "Last issue", 9),
    ("embargo", "embargo", "Embargo", 9),
    ("title_url", "url", "URL", 30),
    ("price", "price", "Price", 14),
)
_IDENTIFIERS = frozenset({"issn", "eissn", "isbn", "eisbn", "issn_l"})
_COVERAGE = (
    "first_date",
    "first_volume",
    "first_issue",
    "last_date",
    "last_volume",
    "last_issue",
    "embargo",
    "depth",
    "notes",
)
_TEXT = "@"

# The rest of what a title holds, in columns after the price named as KBART (or we, after
# KBART) names them, in no language: a list shows only those its titles fill.
MORE_COLUMNS = (
    ("title_id", "title_id"),
    ("issn_l", "issn_l"),
    ("first_author", "first_author"),
    ("last_author", "last_author"),
    ("first_editor", "first_editor"),
    ("date_monograph_published_print", "date_monograph_published_print"),
    ("date_monograph_published_online", "date_monograph_published_online"),
    ("monograph_volume", "monograph_volume"),
    ("monograph_edition", "monograph_edition"),
    ("parent_publication_title_id", "parent_publication_title_id"),
    ("preceding_publication_title_id", "preceding_publication_title_id"),
    ("access_type", "access_type"),
    ("depth", "coverage_depth"),
    ("notes", "notes"),
)
_MORE_WIDTH = 16
_FULL_TEXT = "fulltext"


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    fields: tuple[str, ...]
    """What each column holds: a field of the title or its coverage, or `extra:NAME` for a
    column the title's file brought."""
    rows: list[tuple[Any, ...]]
    """Text cells, and the price as a Decimal (None where not listed)."""
    currency: str


def title_table(context: dict[str, Any]) -> Table:
    """The titles of an assembled title list; the price is in the document's currency,
    which the header names. Everything else the titles hold follows the price, so that the
    file reads back to the same list."""
    label = context["label"]
    currency = context["doc"]["currency"]
    titles: list[TitleIn] = list(context["title_items"])
    headers = [label.get(name, default) for _, name, default, _ in _COLUMNS]
    headers[-1] = f"{headers[-1]} ({currency})"
    more = [(field, header) for field, header in MORE_COLUMNS if _filled(titles, field)]
    extra = list(dict.fromkeys(name for title in titles for name in title.extra))
    fields = (
        *(field for field, _, _, _ in _COLUMNS),
        *(field for field, _ in more),
        *(f"extra:{name}" for name in extra),
    )
    return Table(
        headers=(*headers, *(header for _, header in more), *extra),
        fields=fields,
        rows=list(_rows(titles, fields)),
        currency=currency,
    )


def _filled(titles: list[TitleIn], field: str) -> bool:
    if field == "depth":
        return any(c.depth != _FULL_TEXT for t in titles for c in t.coverage)
    if field == "notes":
        return any(c.notes for t in titles for c in t.coverage)
    if field == "access_type":
        return any(t.access_type or any(c.access_type for c in t.coverage) for t in titles)
    return any(getattr(title, field) for title in titles)


def _rows(titles: list[TitleIn], fields: tuple[str, ...]) -> Iterator[tuple[Any, ...]]:
    for title in titles:
        for coverage in title.coverage or [Coverage()]:
            yield tuple(_value(title, coverage, field) for field in fields)


def _value(title: TitleIn, coverage: Coverage, field: str) -> Any:
    if field == "price":
        return title.price
    if field.startswith("extra:"):
        return title.extra.get(field.removeprefix("extra:"), "")
    if field == "access_type":
        return coverage.access_type or title.access_type
    if field in _COVERAGE:
        value = getattr(coverage, field)
        return "" if field == "depth" and value == _FULL_TEXT and not title.coverage else value
    return getattr(title, field) or ""


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(text: str) -> str:
    """Text a spreadsheet will show rather than run: a title from an upload that starts
    like a formula (=, +, -, @) gets a leading apostrophe (OWASP's CSV injection advice)."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def render_xlsx(table: Table, made_at: datetime | None = None) -> bytes:
    """A sheet to work in: prices as numbers in the currency's format, identifiers as
    text (an ISBN is no number to sum), widths set, the header frozen and filtered; with
    `made_at` (a stored version's creation time) dated by it, to render again the same."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Titles")
    widths = {field: width for field, _, _, width in _COLUMNS}
    for index, field in enumerate(table.fields, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = widths.get(field, _MORE_WIDTH)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    sheet.append([_cell(sheet, header, font=bold) for header in table.headers])
    money = f'#,##0.00 "{table.currency}"'
    for row in table.rows:
        sheet.append(
            [
                _xlsx_cell(sheet, field, value, money)
                for field, value in zip(table.fields, row, strict=True)
            ]
        )
    last = get_column_letter(len(table.fields))
    sheet.auto_filter.ref = f"A1:{last}{len(table.rows) + 1}"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue() if made_at is None else dated_package(out.getvalue(), made_at)


def _xlsx_cell(sheet: Any, field: str, value: Any, money: str) -> Any:
    if field == "price":
        return None if value is None else _cell(sheet, value, number_format=money)
    if field in _IDENTIFIERS:
        return _cell(sheet, value, number_format=_TEXT)
    return inert(value)


def _cell(
    sheet: Any, value: Any, *, number_format: str | None = None, font: Font | None = None
) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if number_format:
        cell.number_format = number_format
    if font:
        cell.font = font
    return cell


def render_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.headers)
    writer.writerows(
        [
            ("" if value is None else str(value)) if field == "price" else inert(value)
            for field, value in zip(table.fields, row, strict=True)
        ]
        for row in table.rows
    )
    return out.getvalue().encode("utf-8-sig")
