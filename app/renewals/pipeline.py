"""The renewal pipeline: renewals by region and by the quarter their new term starts,
counted and valued by status, in the base currency of the approval matrix (the reporting
currency), at the matrix's rates. Values are net, never tax: the net annual value is the
renewal's first contract year, the total contract value its whole term, both priced by the
subscription model from the renewal's own lines. A withdrawn renewal (cancelled) is no
longer in the pipeline."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from sqlalchemy import ColumnElement, Date, Integer, cast, func, select
from sqlalchemy.orm import Session

from app.accounts.models import Account
from app.assembly.approval_matrix import ApprovalMatrix
from app.documents.models import CANCELLED, RENEWAL, Document

UNASSIGNED = "No region"
CENT = Decimal("0.01")


def headers(base_currency: str) -> list[str]:
    return [
        "Region",
        "Quarter",
        "Status",
        "Renewals",
        f"Net annual value ({base_currency})",
        f"Total contract value ({base_currency})",
    ]


@dataclass(frozen=True)
class PipelineRow:
    region: str
    quarter: str
    status: str
    count: int
    net_annual: Decimal
    """The renewals' first contract years, net, in the base currency."""
    net_term: Decimal
    """The renewals' whole terms, net, in the base currency."""


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _groups(
    session: Session,
) -> Iterator[tuple[str | None, date, str, str, int, Decimal, Decimal]]:
    """Region, quarter's first day, status, currency, how many, and their values added
    up, from the values each renewal stored when it was written (pricing each open renewal
    on every view took 14 s at a million documents)."""
    quarter = _quarter_start(session)
    query = (
        select(
            Account.region,
            quarter,
            Document.status,
            Document.currency,
            func.count(),
            func.sum(Document.renewal_net_annual),
            func.sum(Document.renewal_net_term),
        )
        .outerjoin(Account, Account.id == Document.account_id)
        .where(Document.relation == RENEWAL, Document.status != CANCELLED)
        .group_by(Account.region, quarter, Document.status, Document.currency)
    )
    for region, first_day, status, currency, count, annual, term in session.execute(query):
        day = first_day if isinstance(first_day, date) else date.fromisoformat(str(first_day))
        yield region, day, status, currency, count, Decimal(annual), Decimal(term)


def _quarter_start(session: Session) -> ColumnElement[Any]:
    """The first day of the quarter a renewal starts in, computed in the database."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.date_trunc("quarter", Document.renewal_starts_on), Date)
    month = cast(func.strftime("%m", Document.renewal_starts_on), Integer)
    first_month = (month - 1) // 3 * 3 + 1
    return func.printf("%s-%02d-01", func.strftime("%Y", Document.renewal_starts_on), first_month)


def renewal_pipeline(session: Session, matrix: ApprovalMatrix) -> list[PipelineRow]:
    """One row per region, quarter and status, ordered by quarter, region and status."""
    counts: dict[tuple[str, str, str], int] = defaultdict(int)
    annual: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    term: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    for region, first_day, status, currency, count, first_years, whole_terms in _groups(session):
        key = (region or UNASSIGNED, quarter_of(first_day), status)
        counts[key] += count
        # the rate is a factor: converting the sum is converting each and adding them
        annual[key] += matrix.in_base(first_years, currency)
        term[key] += matrix.in_base(whole_terms, currency)
    return [
        PipelineRow(
            region,
            quarter,
            status,
            counts[key],
            annual[key].quantize(CENT),
            term[key].quantize(CENT),
        )
        for key in sorted(counts, key=lambda k: (k[1], k[0], k[2]))
        for region, quarter, status in [key]
    ]


def pipeline_csv(rows: list[PipelineRow], base_currency: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers(base_currency))
    writer.writerows(
        [r.region, r.quarter, r.status, r.count, str(r.net_annual), str(r.net_term)] for r in rows
    )
    return out.getvalue().encode("utf-8-sig")


def pipeline_xlsx(rows: list[PipelineRow], base_currency: str) -> bytes:
    """Counts and values go in as numbers, so that a spreadsheet can pivot them."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Renewal pipeline")
    sheet.append(headers(base_currency))
    for r in rows:
        sheet.append([r.region, r.quarter, r.status, r.count, r.net_annual, r.net_term])
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
    """Net annual value by quarter, stacked by status: the quarters, the bars and the
    tallest value."""
    quarters = sorted({r.quarter for r in rows})
    by_quarter: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for r in rows:
        by_quarter[r.quarter][r.status] += r.net_annual
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
