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
from sqlalchemy import func, select
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
    """The rows of every month, or of the months of one `year` (by creation). Only the
    columns it counts are read, not whole documents: a year may hold a third of a million."""
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
    if year is not None:
        query = query.where(
            Document.created_at >= datetime(year, 1, 1, tzinfo=UTC),
            Document.created_at < datetime(year + 1, 1, 1, tzinfo=UTC),
        )
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
