"""The year-on-year comparison as CSV and XLSX: a row per change (added, removed, price
changed, moved between packages), prices as numbers."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from openpyxl import Workbook

from app.rendering.tables import inert

HEADERS = (
    "Change",
    "Title",
    "ISSN",
    "eISSN",
    "ISBN",
    "eISBN",
    "Package before",
    "Package after",
    "Price before",
    "Price after",
    "Difference",
)


def _rows(view: dict[str, Any]) -> Iterator[list[Any]]:
    def ids(title: dict[str, Any]) -> list[str]:
        return [title.get(k) or "" for k in ("issn", "eissn", "isbn", "eisbn")]

    def money(value: str | None) -> Decimal | None:
        return None if value is None else Decimal(value)

    for t in view["added"]:
        yield ["added", t["title"], *ids(t), "", t["package"], None, money(t["price"]), None]
    for t in view["removed"]:
        yield ["removed", t["title"], *ids(t), t["package"], "", money(t["price"]), None, None]
    for p in view["price_changed"]:
        yield [
            "price changed",
            p["title"],
            "",
            "",
            "",
            "",
            "",
            "",
            money(p["old"]),
            money(p["new"]),
            money(p["difference"]),
        ]
    for m in view["moved"]:
        yield ["moved", m["title"], "", "", "", "", m["old"], m["new"], None, None, None]


def comparison_csv(view: dict[str, Any]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADERS)
    for row in _rows(view):
        writer.writerow([inert(c) if isinstance(c, str) else "" if c is None else c for c in row])
    return out.getvalue().encode("utf-8-sig")


def comparison_xlsx(view: dict[str, Any]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(f"{view['before']['year']} to {view['after']['year']}")
    sheet.freeze_panes = "A2"
    sheet.append(list(HEADERS))
    count = 0
    for row in _rows(view):
        sheet.append([inert(c) if isinstance(c, str) else c for c in row])
        count += 1
    sheet.auto_filter.ref = f"A1:K{count + 1}"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
