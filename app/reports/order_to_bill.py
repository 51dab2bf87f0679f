"""Order to bill: by region and the month documents were created, how many were created,
approved, signed and invoiced; the median time from creation to signature; the touchless
rate: of the documents invoiced, those made through the API (or a batch, or the renewals
sweep) that needed no approval and were sent through the API, so no person touched them on
the way; and what was taken back: the contracts cancelled and the credit notes sent for
them (from the invoice ledger)."""

from __future__ import annotations

import csv
import io
import statistics
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import NamedTuple

from openpyxl import Workbook
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.accounts.models import Account
from app.billing import services as billing
from app.billing.models import CREDIT, ISSUED, Invoice
from app.documents.models import CANCELLED, SIGNED, Approval, Document
from app.renewals.pipeline import UNASSIGNED, Bar
from app.signing.models import Envelope

MACHINE_MADE = frozenset({"api", "batch", "renewal"})
HEADERS = (
    "Region",
    "Month",
    "Created",
    "Approved",
    "Signed",
    "Invoiced",
    "Median hours to signature",
    "Touchless",
    "Touchless rate %",
    "Cancelled",
    "Credit notes",
)


class _Counted(NamedTuple):
    id: uuid.UUID
    created_at: datetime
    status: str
    created_via: str
    approvals_needed: int


@dataclass(frozen=True)
class OrderToBillRow:
    region: str
    month: str
    created: int
    approved: int
    signed: int
    invoiced: int
    median_hours_to_signature: Decimal | None
    touchless: int
    cancelled: int = 0
    credit_notes: int = 0
    """Credit notes sent for the group's contracts (a quote's line or a licence's rest)."""

    @property
    def touchless_rate(self) -> Decimal | None:
        if not self.invoiced:
            return None
        return (Decimal(self.touchless) * 100 / self.invoiced).quantize(Decimal("0.1"))

    def cells(self) -> list[object]:
        return [
            self.region,
            self.month,
            self.created,
            self.approved,
            self.signed,
            self.invoiced,
            self.median_hours_to_signature,
            self.touchless,
            self.touchless_rate,
            self.cancelled,
            self.credit_notes,
        ]


def order_to_bill(session: Session, year: int | None = None) -> list[OrderToBillRow]:
    """The rows of every month, or of the months of one `year` (by creation); on
    PostgreSQL counted there (a year may hold a third of a million documents; reading them
    took 6 s at a million), elsewhere from the columns it counts."""
    if session.get_bind().dialect.name == "postgresql":
        return _counted_in_postgresql(session, year)
    return _counted_here(session, year)


def _year(year: int | None) -> tuple[datetime | None, datetime | None]:
    if year is None:
        return None, None
    return datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)


_MACHINE_MADE_SQL = ", ".join(f"'{way}'" for way in sorted(MACHINE_MADE))
COUNTED = f"""
SELECT region, month, count(*),
    count(*) FILTER (WHERE approved),
    count(*) FILTER (WHERE status IN ('{SIGNED}', '{CANCELLED}')),
    count(*) FILTER (WHERE invoiced),
    percentile_cont(0.5) WITHIN GROUP (ORDER BY
        extract(epoch FROM completed_at - created_at) / 3600.0)
        FILTER (WHERE status IN ('{SIGNED}', '{CANCELLED}') AND completed_at IS NOT NULL),
    count(*) FILTER (WHERE invoiced AND created_via IN ({_MACHINE_MADE_SQL})
        AND needed = 0 AND sent_via = 'api'),
    count(*) FILTER (WHERE status = '{CANCELLED}'),
    coalesce(sum(credit_notes), 0)
FROM (
    SELECT d.id, d.created_at, d.status, d.created_via,
        json_array_length(d.approvals_required) AS needed,
        coalesce(a.region, :unassigned) AS region,
        to_char(d.created_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month,
        inv.document_id IS NOT NULL AS invoiced, ap.document_id IS NOT NULL AS approved,
        coalesce(cn.count, 0) AS credit_notes, e.completed_at, e.sent_via
    FROM document d
    LEFT JOIN account a ON a.id = d.account_id
    LEFT JOIN (SELECT DISTINCT document_id FROM outbox_event
        WHERE event_type = 'invoice.trigger') inv ON inv.document_id = d.id
    LEFT JOIN (SELECT DISTINCT document_id FROM approval
        WHERE decision = 'approve' AND reset_at IS NULL) ap ON ap.document_id = d.id
    LEFT JOIN (SELECT contract_id, count(*) AS count FROM invoice
        WHERE kind = '{CREDIT}' AND status = '{ISSUED}' GROUP BY contract_id) cn
        ON cn.contract_id = d.id
    LEFT JOIN (SELECT DISTINCT ON (document_id) document_id, completed_at, sent_via
        FROM envelope ORDER BY document_id, created_at DESC) e ON e.document_id = d.id
    WHERE d.kind <> 'title-list' {{year}}
) AS d GROUP BY month, region"""  # noqa: S608 - constants only


def _counted_in_postgresql(session: Session, year: int | None) -> list[OrderToBillRow]:
    since, until = _year(year)
    within = "AND d.created_at >= :since AND d.created_at < :until" if year is not None else ""
    found = session.execute(
        text(COUNTED.replace("{year}", within)),
        {"since": since, "until": until, "unassigned": UNASSIGNED},
    )
    rows = [
        OrderToBillRow(
            region=region,
            month=month,
            created=created,
            approved=approved,
            signed=signed,
            invoiced=invoiced,
            median_hours_to_signature=None
            if median is None
            else Decimal(str(round(float(median), 1))),
            touchless=touchless,
            cancelled=cancelled,
            credit_notes=int(credit_notes),
        )
        for region, month, created, approved, signed, invoiced, median, touchless, cancelled, (
            credit_notes
        ) in found
    ]
    # sorted here as the other way sorts, by code point, whatever the database's collation
    return sorted(rows, key=lambda row: (row.month, row.region))


def _counted_here(session: Session, year: int | None) -> list[OrderToBillRow]:
    """Counted from the columns it counts, not whole documents."""
    query = (
        select(
            Document.id,
            Document.created_at,
            Document.status,
            Document.created_via,
            func.json_array_length(Document.approvals_required),
            Account.region,
        )
        .outerjoin(Account, Account.id == Document.account_id)
        .where(Document.kind != "title-list")
    )
    since, until = _year(year)
    if since is not None and until is not None:
        query = query.where(Document.created_at >= since, Document.created_at < until)
    documents = [(_Counted(*row[:5]), row[5]) for row in session.execute(query)]
    invoiced = billing.invoiced_at(session)
    approved = set(
        session.scalars(
            select(Approval.document_id).where(
                Approval.decision == "approve", Approval.reset_at.is_(None)
            )
        )
    )
    credit_notes: dict[uuid.UUID, int] = {
        contract_id: count
        for contract_id, count in session.execute(
            select(Invoice.contract_id, func.count())
            .where(Invoice.kind == CREDIT, Invoice.status == ISSUED)
            .group_by(Invoice.contract_id)
        )
    }
    envelopes = {
        e.document_id: e for e in session.scalars(select(Envelope).order_by(Envelope.created_at))
    }
    groups: dict[tuple[str, str], list[_Counted]] = defaultdict(list)
    for document, region in documents:
        groups[(region or UNASSIGNED, document.created_at.strftime("%Y-%m"))].append(document)
    rows = []
    for (region, month), docs in sorted(groups.items(), key=lambda item: (item[0][1], item[0][0])):
        hours = []
        touchless = 0
        for d in docs:
            envelope = envelopes.get(d.id)
            if d.status in (SIGNED, CANCELLED) and envelope and envelope.completed_at:
                hours.append((envelope.completed_at - d.created_at).total_seconds() / 3600)
            if (
                d.id in invoiced
                and d.created_via in MACHINE_MADE
                and not d.approvals_needed
                and envelope is not None
                and envelope.sent_via == "api"
            ):
                touchless += 1
        rows.append(
            OrderToBillRow(
                region=region,
                month=month,
                created=len(docs),
                approved=sum(1 for d in docs if d.id in approved),
                signed=sum(1 for d in docs if d.status in (SIGNED, CANCELLED)),
                invoiced=sum(1 for d in docs if d.id in invoiced),
                median_hours_to_signature=Decimal(str(round(statistics.median(hours), 1)))
                if hours
                else None,
                touchless=touchless,
                cancelled=sum(1 for d in docs if d.status == CANCELLED),
                credit_notes=sum(credit_notes.get(d.id, 0) for d in docs),
            )
        )
    return rows


STAGES = ("created", "signed", "invoiced")
"""The stages the chart shows side by side for each month: the way from order to bill."""


def chart_bars(
    rows: list[OrderToBillRow], *, width: float = 640, height: float = 220
) -> tuple[list[str], list[Bar], int]:
    """By month, all regions together, a bar for each stage: the months, the bars and the
    tallest count."""
    months = sorted({r.month for r in rows})
    counts = {
        (month, stage): sum(getattr(r, stage) for r in rows if r.month == month)
        for month in months
        for stage in STAGES
    }
    tallest = max(counts.values(), default=0)
    bars: list[Bar] = []
    if not tallest:
        return months, bars, tallest
    slot = width / len(months)
    bar_width = slot * 0.7 / len(STAGES)
    for index, month in enumerate(months):
        for offset, stage in enumerate(STAGES):
            size = counts[(month, stage)] / tallest * height
            x = index * slot + slot * 0.15 + offset * bar_width
            bars.append(Bar(x, height - size, bar_width, size, stage, str(counts[(month, stage)])))
    return months, bars, tallest


def order_to_bill_csv(rows: list[OrderToBillRow]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADERS)
    writer.writerows(["" if c is None else str(c) for c in row.cells()] for row in rows)
    return out.getvalue().encode("utf-8-sig")


def order_to_bill_xlsx(rows: list[OrderToBillRow]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Order to bill")
    sheet.append(list(HEADERS))
    for row in rows:
        sheet.append(row.cells())
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
