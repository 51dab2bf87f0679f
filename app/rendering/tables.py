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
_IDENTIFIERS = frozenset({"issn", "eissn", "isbn", "eisbn"})
_COVERAGE = (
    "first_date",
    "first_volume",
    "first_issue",
    "last_date",
    "last_volume",
    "last_issue",
    "embargo",
)
_TEXT = "@"


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    fields: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    """Text cells, and the price as a Decimal (None where not listed)."""
    currency: str


def title_table(context: dict[str, Any]) -> Table:
    """The titles of an assembled title list; the price is in the document's currency,
    which the header names."""
    label = context["label"]
    currency = context["doc"]["currency"]
    headers = [label.get(name, default) for _, name, default, _ in _COLUMNS]
    headers[-1] = f"{headers[-1]} ({currency})"
    return Table(
        headers=tuple(headers),
        fields=tuple(field for field, _, _, _ in _COLUMNS),
        rows=list(_rows(context["title_items"])),
        currency=currency,
    )


def _rows(titles: list[TitleIn]) -> Iterator[tuple[Any, ...]]:
    for title in titles:
        fields = {field: getattr(title, field) for field, _, _, _ in _COLUMNS[:9]}
        fields["title_url"] = title.title_url
        for coverage in title.coverage or [Coverage()]:
            row = dict(fields)
            for name in _COVERAGE:
                row[name] = getattr(coverage, name)
            yield (*(row[field] or "" for field, _, _, _ in _COLUMNS[:-1]), title.price)


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
    for index, (_, _, _, width) in enumerate(_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    sheet.append([_cell(sheet, header, font=bold) for header in table.headers])
    money = f'#,##0.00 "{table.currency}"'
    for *text, price in table.rows:
        cells: list[Any] = [
            _cell(sheet, value, number_format=_TEXT) if field in _IDENTIFIERS else inert(value)
            for field, value in zip(table.fields, text, strict=False)
        ]
        cells.append(None if price is None else _cell(sheet, price, number_format=money))
        sheet.append(cells)
    last = get_column_letter(len(_COLUMNS))
    sheet.auto_filter.ref = f"A1:{last}{len(table.rows) + 1}"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue() if made_at is None else dated_package(out.getvalue(), made_at)


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
        [*(inert(cell) for cell in text), "" if price is None else str(price)]
        for *text, price in table.rows
    )
    return out.getvalue().encode("utf-8-sig")
