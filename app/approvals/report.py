"""The approval audit report for a period: every document approved in it, with who
created it, who changed it materially, who approved which tier with which authority, its
effective discount and net value; and the control exceptions of the period (approvals
voided by a change, refusals, possible deal splits, approvals by a higher rank than the
tier named, prices under list)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.approvals import rules
from app.approvals.splitting import split_flag
from app.assembly.approval_matrix import ApprovalMatrix
from app.assembly.effective_discount import from_record
from app.audit.models import AuditEvent
from app.documents.models import Approval, Document
from app.errors import FieldError, InvalidInput
from app.rendering.tables import inert

_REFUSALS = ("approval.refused", "library.refused", "document.signature_refused")


@dataclass(frozen=True)
class ApprovedRow:
    document: str
    customer: str
    created_by: str
    changed_by: list[str]
    approved_by: list[str]
    """As "email (role for tier)"."""
    effective_discount_percent: Decimal
    net: Decimal
    currency: str
    net_in_base: Decimal
    base_currency: str
    approved_at: datetime

    def cells(self) -> list[object]:
        """The row's figures as the CSV and the XLSX write them, less the approval time
        (each file writes that in its own way)."""
        return [
            self.document,
            inert(self.customer),
            self.created_by,
            "; ".join(self.changed_by),
            "; ".join(self.approved_by),
            self.effective_discount_percent,
            self.net,
            self.currency,
            self.net_in_base,
            self.base_currency,
        ]


@dataclass(frozen=True)
class ControlException:
    at: datetime
    kind: str
    """approvals voided, refused, possible deal split, rank override or price override."""
    document: str
    by: str
    detail: str


@dataclass(frozen=True)
class AuditReport:
    start: date
    end: date
    approved: list[ApprovedRow] = field(default_factory=list)
    exceptions: list[ControlException] = field(default_factory=list)


def period(start: str | None, end: str | None, today: date) -> tuple[date, date]:
    """The period asked for (both days included); this month so far when none is given."""
    errors = []
    days = []
    for name, value, default in (
        ("from", start, today.replace(day=1)),
        ("to", end, today),
    ):
        try:
            days.append(date.fromisoformat(value) if value else default)
        except ValueError:
            errors.append(FieldError(name, f"{value!r} is not a date (YYYY-MM-DD)"))
            days.append(default)
    if not errors and days[0] > days[1]:
        errors.append(FieldError("to", "the period ends before it starts"))
    if errors:
        raise InvalidInput("the period is not valid", errors)
    return days[0], days[1]


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return (
        datetime.combine(start, time.min, tzinfo=UTC),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC),
    )


def audit_report(session: Session, matrix: ApprovalMatrix, start: date, end: date) -> AuditReport:
    since, until = _bounds(start, end)
    report = AuditReport(start, end)
    approved = session.scalars(
        select(Document)
        .where(Document.approved_at >= since, Document.approved_at < until)
        .order_by(Document.approved_at)
    ).all()
    for document in approved:
        report.approved.append(_row(session, matrix, document))
        report.exceptions.extend(_price_overrides(document))
    numbers = {str(d.id): d.number for d in session.scalars(select(Document))}
    for event in session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.created_at >= since,
            AuditEvent.created_at < until,
            AuditEvent.tag.in_(("document.approvals_reset", *_REFUSALS)),
        )
        .order_by(AuditEvent.seq)
    ):
        report.exceptions.append(_from_event(event, numbers))
    for approval in session.scalars(
        select(Approval)
        .where(Approval.created_at >= since, Approval.created_at < until)
        .order_by(Approval.created_at)
    ):
        step_role = approval.figures.get("role")
        if approval.role and step_role and approval.role != step_role:
            report.exceptions.append(
                ControlException(
                    approval.created_at,
                    "rank override",
                    approval.document.number,
                    approval.decided_by.email,
                    f"a {approval.role} decided the {step_role} tier {approval.rule}",
                )
            )
    for document in session.scalars(
        select(Document).where(Document.created_at >= since, Document.created_at < until)
    ):
        flag = split_flag(session, matrix, document)
        if flag is not None:
            report.exceptions.append(
                ControlException(
                    document.created_at,
                    "possible deal split",
                    document.number,
                    document.created_by.email,
                    f"{', '.join(flag.numbers)} together {flag.combined_value} "
                    f"{flag.base_currency} would need {', '.join(flag.would_need)}",
                )
            )
    report.exceptions.sort(key=lambda e: e.at)
    return report


def _row(session: Session, matrix: ApprovalMatrix, document: Document) -> ApprovedRow:
    facts = rules.facts_of(document.totals, document.data)
    rate = rules.rate_on(
        session, matrix, facts.currency, date.fromisoformat(document.data["issued_on"])
    )
    editors: list[str] = []
    for edit in document.edits:
        if edit.material and edit.user.email not in editors:
            editors.append(edit.user.email)
    return ApprovedRow(
        document=document.number,
        customer=document.customer["name"],
        created_by=document.created_by.email,
        changed_by=editors,
        approved_by=[
            f"{a.decided_by.email} ({a.role or '?'} for {a.rule})"
            for a in document.approvals
            if a.standing and a.decision == "approve"
        ],
        effective_discount_percent=from_record(document.totals).percent,
        net=facts.net_term,
        currency=facts.currency,
        net_in_base=(facts.net_term * rate.value).quantize(Decimal("0.01")),
        base_currency=matrix.base_currency,
        approved_at=document.approved_at or document.updated_at,
    )


def _price_overrides(document: Document) -> list[ControlException]:
    found = []
    for n, line in enumerate(document.totals.get("lines", []), start=1):
        listed = line.get("list_price")
        if listed and Decimal(line["unit_price"]) < Decimal(listed):
            found.append(
                ControlException(
                    document.approved_at or document.updated_at,
                    "price override",
                    document.number,
                    document.created_by.email,
                    f"line {n}: {line['unit_price']} instead of the list price {listed}",
                )
            )
    return found


def _from_event(event: AuditEvent, numbers: dict[str, str]) -> ControlException:
    data = event.data
    if event.tag == "document.approvals_reset":
        kind, detail = "approvals voided", str(data.get("reason", ""))
    else:
        kind = "refused"
        detail = f"{data.get('rule', '')}: {data.get('detail') or data.get('typed', '')}"
    return ControlException(
        event.created_at,
        kind,
        numbers.get(event.subject_id, event.subject_id),
        event.actor_label,
        detail,
    )


HEADERS = (
    "record",
    "document",
    "customer",
    "created_by",
    "changed_by",
    "approved_by",
    "effective_discount_percent",
    "net",
    "currency",
    "net_in_base",
    "base_currency",
    "at",
    "exception",
    "by",
    "detail",
)


def report_csv(report: AuditReport) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADERS)
    for r in report.approved:
        writer.writerow(["approved", *r.cells(), r.approved_at.isoformat(), "", "", ""])
    for e in report.exceptions:
        writer.writerow(
            ["exception", e.document, *[""] * 9, e.at.isoformat(), e.kind, e.by, inert(e.detail)]
        )
    return out.getvalue().encode("utf-8-sig")


def report_xlsx(report: AuditReport) -> bytes:
    workbook = Workbook(write_only=True)
    approved = workbook.create_sheet("Approved")
    approved.append(list(HEADERS[1:12]))
    for r in report.approved:
        approved.append([*r.cells(), r.approved_at.replace(tzinfo=None)])
    exceptions = workbook.create_sheet("Exceptions")
    exceptions.append(["at", "exception", "document", "by", "detail"])
    for e in report.exceptions:
        exceptions.append([e.at.replace(tzinfo=None), e.kind, e.document, e.by, inert(e.detail)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
