"""Title lists as spreadsheets: XLSX (streamed, so 20,000 rows stay small in memory) and
CSV, with the same columns and rows the PDF shows."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl import Workbook

# (the row's field, the package label naming the column, the heading without a label)
_COLUMNS = (
    ("title", "col_title", "Title"),
    ("issn", "issn", "ISSN"),
    ("eissn", "eissn", "eISSN"),
    ("subject", "subject", "Subject"),
    ("price_amount", "price", "Price"),
)


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: list[tuple[str, ...]]


def title_table(context: dict[str, Any]) -> Table:
    """The title rows of an assembled title list, headed in the document's language; the
    price is a plain decimal in the document's currency, which the header names."""
    label = context["label"]
    headers = [label.get(name, default) for _, name, default in _COLUMNS]
    headers[-1] = f"{headers[-1]} ({context['doc']['currency']})"
    return Table(
        headers=tuple(headers),
        rows=[tuple(row[field] for field, _, _ in _COLUMNS) for row in context["titles"]],
    )


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(text: str) -> str:
    """Text a spreadsheet will show rather than run: a title from an upload that starts
    like a formula (=, +, -, @) gets a leading apostrophe (OWASP's CSV injection advice)."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def render_xlsx(table: Table) -> bytes:
    """Prices go in as numbers, so that a spreadsheet can sum them."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Titles")
    sheet.append(list(table.headers))
    for row in table.rows:
        *text, price = row
        sheet.append([*(inert(cell) for cell in text), Decimal(price) if price else None])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def render_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.headers)
    writer.writerows([*(inert(cell) for cell in row[:-1]), row[-1]] for row in table.rows)
    return out.getvalue().encode("utf-8-sig")
