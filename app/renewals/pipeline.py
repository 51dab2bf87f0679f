"""The renewal pipeline: renewals by region and by the quarter their new term starts,
counted and valued by status, in the base currency of the approval matrix."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Account
from app.assembly.approval_matrix import ApprovalMatrix
from app.documents.models import RENEWAL, Document

UNASSIGNED = "No region"
HEADERS = ("Region", "Quarter", "Status", "Renewals", "Value")


@dataclass(frozen=True)
class PipelineRow:
    region: str
    quarter: str
    status: str
    count: int
    value: Decimal


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def renewal_pipeline(session: Session, matrix: ApprovalMatrix) -> list[PipelineRow]:
    """One row per region, quarter and status, ordered by quarter, region and status."""
    rows = session.execute(
        select(Document.data, Document.status, Document.totals, Document.currency, Account.region)
        .outerjoin(Account, Account.id == Document.account_id)
        .where(Document.relation == RENEWAL)
    )
    counts: dict[tuple[str, str, str], int] = defaultdict(int)
    values: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    for data, status, totals, currency, region in rows:
        key = (
            region or UNASSIGNED,
            quarter_of(date.fromisoformat(data["term"]["start"])),
            status,
        )
        counts[key] += 1
        values[key] += matrix.in_base(Decimal(totals["total"]), currency)
    return [
        PipelineRow(region, quarter, status, counts[key], values[key].quantize(Decimal("0.01")))
        for key in sorted(counts, key=lambda k: (k[1], k[0], k[2]))
        for region, quarter, status in [key]
    ]


def pipeline_csv(rows: list[PipelineRow], base_currency: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*HEADERS[:-1], f"Value ({base_currency})"])
    writer.writerows([r.region, r.quarter, r.status, r.count, str(r.value)] for r in rows)
    return out.getvalue().encode("utf-8-sig")


def pipeline_xlsx(rows: list[PipelineRow], base_currency: str) -> bytes:
    """Counts and values go in as numbers, so that a spreadsheet can pivot them."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Renewal pipeline")
    sheet.append([*HEADERS[:-1], f"Value ({base_currency})"])
    for r in rows:
        sheet.append([r.region, r.quarter, r.status, r.count, r.value])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    status: str
    label: str


def chart_bars(
    rows: list[PipelineRow], *, width: float = 640, height: float = 220
) -> tuple[list[str], list[Bar], Decimal]:
    """Value by quarter, stacked by status: the quarters, the bars and the tallest value."""
    quarters = sorted({r.quarter for r in rows})
    by_quarter: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for r in rows:
        by_quarter[r.quarter][r.status] += r.value
    tallest = max((sum(v.values(), Decimal(0)) for v in by_quarter.values()), default=Decimal(0))
    bars: list[Bar] = []
    if not quarters or not tallest:
        return quarters, bars, tallest
    slot = width / len(quarters)
    for index, quarter in enumerate(quarters):
        bottom = height
        for status, value in sorted(by_quarter[quarter].items()):
            size = float(value / tallest) * height
            bottom -= size
            bars.append(
                Bar(
                    index * slot + slot * 0.2,
                    bottom,
                    slot * 0.6,
                    size,
                    status,
                    f"{quarter} {status}",
                )
            )
    return quarters, bars, tallest
