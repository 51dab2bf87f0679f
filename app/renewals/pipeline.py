"""The renewal pipeline: renewals by region and by the quarter their new term starts,
counted and valued by status, in the base currency of the approval matrix (the reporting
currency), at the matrix's rates. Values are net, never tax: the net annual value is the
renewal's first contract year, the total contract value its whole term, both priced by the
subscription model from the renewal's own lines. A withdrawn renewal (cancelled) is no
longer in the pipeline."""

from __future__ import annotations

import csv
import io
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.accounts.models import Account
from app.assembly.approval_matrix import ApprovalMatrix
from app.assembly.schemas import LicenceData
from app.assembly.subscription.documents import licence_contract
from app.assembly.subscription.invoices import contract_value, schedule
from app.assembly.subscription.periods import Period, contract_year
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


def _untaxed(category: str, day: date) -> Decimal:
    return Decimal(0)


def renewal_values(data: dict[str, Any], totals: dict[str, Any]) -> tuple[Decimal, Decimal]:
    """A renewal's net annual value (its first contract year, whatever its invoice
    periods) and its total contract value (net over the term), in its currency."""
    # the titles play no part in the fees; leaving them out spares validating thousands
    fields = {k: v for k, v in data.items() if k not in ("issued_on", "titles")}
    contract = licence_contract(
        LicenceData.model_validate(fields),
        totals["lines"],
        day_count=totals.get("day_count", "actual/365"),
    )
    first = contract_year(contract.term.start, 0)
    first_year = replace(
        contract,
        term=Period(first.start, min(first.end, contract.term.end)),
        invoice_periods="contract-years",
    )
    return (
        contract_value(schedule(first_year, _untaxed)),
        contract_value(schedule(contract, _untaxed)),
    )


ALIKE = """md5(
    ((d.data::jsonb - ARRAY['titles', 'issued_on', 'term'])
     || jsonb_build_object(
        'years', d.data->'term'->'years',
        'lines', d.totals::jsonb->'lines',
        'day_count', d.totals::jsonb->'day_count',
        'start', CASE WHEN coalesce(d.data->>'invoice_periods', 'contract-years')
                           = 'contract-years' THEN NULL ELSE d.data->'term'->>'start' END
     ))::text)"""
"""Renewals alike in all that prices them: invoiced by whole contract years, a term's fees
do not depend on the day it starts, so renewals that differ only in it are priced once."""
GROUPS = f"""SELECT a.region, d.data->'term'->>'start', d.status, d.currency, {ALIKE},
    count(*), min(d.id::text)
FROM document d LEFT JOIN account a ON a.id = d.account_id
WHERE d.relation = 'renewal' AND d.status <> 'cancelled'
GROUP BY 1, 2, 3, 4, 5"""  # noqa: S608 - constants only

Group = tuple[str | None, str, str, str, int, tuple[Decimal, Decimal]]
"""Region, term start, status, currency, how many, and their values each."""


def _groups(session: Session) -> Iterator[Group]:
    """The open renewals, on PostgreSQL grouped in the database (a large book's renewals
    share a few price lists; reading and pricing each one took seconds), elsewhere one by
    one."""
    if session.get_bind().dialect.name == "postgresql":
        groups = session.execute(text(GROUPS)).all()
        one_of_each = {alike: uuid.UUID(sample) for *_, alike, _, sample in groups}
        records = session.execute(
            select(Document.id, Document.data, Document.totals).where(
                Document.id.in_(one_of_each.values())
            )
        )
        priced = {id_: renewal_values(data, totals) for id_, data, totals in records}
        for region, start, status, currency, alike, count, _ in groups:
            yield region, start, status, currency, count, priced[one_of_each[alike]]
        return
    for data, status, totals, currency, region in session.execute(
        select(Document.data, Document.status, Document.totals, Document.currency, Account.region)
        .outerjoin(Account, Account.id == Document.account_id)
        .where(Document.relation == RENEWAL, Document.status != CANCELLED)
    ):
        yield region, data["term"]["start"], status, currency, 1, renewal_values(data, totals)


def renewal_pipeline(session: Session, matrix: ApprovalMatrix) -> list[PipelineRow]:
    """One row per region, quarter and status, ordered by quarter, region and status."""
    counts: dict[tuple[str, str, str], int] = defaultdict(int)
    annual: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    term: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    for region, start, status, currency, count, (first_year, whole_term) in _groups(session):
        key = (region or UNASSIGNED, quarter_of(date.fromisoformat(start)), status)
        counts[key] += count
        annual[key] += matrix.in_base(first_year, currency) * count
        term[key] += matrix.in_base(whole_term, currency) * count
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
