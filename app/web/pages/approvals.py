"""The approval matrix for the people it binds, and the approval audit report."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask_babel import gettext as _

from app.approvals import explain, report
from app.approvals.report import AuditReport
from app.db import utcnow
from app.errors import InvalidInput
from app.web.context import runtime, unit_of_work
from app.web.pages.auth import login_required

bp = Blueprint("pages_approvals", __name__)

STAFF = ("support", "manager", "director", "legal", "finance", "admin")


@bp.get("/approvals/matrix")
@login_required(*STAFF)
def matrix() -> str:
    return render_template(
        "approval_matrix.html", matrix=explain.matrix_rules(runtime().settings.approval_matrix)
    )


READERS = ("manager", "director", "finance", "admin")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _report() -> AuditReport:
    uow = unit_of_work()
    start, end = report.period(request.args.get("from"), request.args.get("to"), utcnow().date())
    with uow:
        return report.audit_report(uow.session, uow.settings.approval_matrix, start, end)


def _refused(exc: InvalidInput) -> tuple[str, int]:
    errors = {
        e.pointer: _("Enter a day as YYYY-MM-DD.")
        if "not a date" in e.detail
        else _("The period ends before it starts.")
        for e in exc.errors
    }
    page = render_template(
        "reports/approvals.html",
        report=None,
        errors=errors,
        asked={"from": request.args.get("from", ""), "to": request.args.get("to", "")},
    )
    return page, 422


@bp.get("/reports/approvals")
@login_required(*READERS)
def audit_report() -> str | tuple[str, int]:
    try:
        found = _report()
    except InvalidInput as exc:
        return _refused(exc)
    asked = {"from": found.start.isoformat(), "to": found.end.isoformat()}
    return render_template("reports/approvals.html", report=found, errors={}, asked=asked)


def _download(data: bytes, content_type: str, found: AuditReport, extension: str) -> Response:
    name = f"approval-audit-{found.start}-{found.end}.{extension}"
    return Response(
        data,
        content_type=content_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/reports/approvals.csv")
@login_required(*READERS)
def audit_report_csv() -> Response | tuple[str, int]:
    try:
        found = _report()
    except InvalidInput as exc:
        return _refused(exc)
    return _download(report.report_csv(found), "text/csv; charset=utf-8", found, "csv")


@bp.get("/reports/approvals.xlsx")
@login_required(*READERS)
def audit_report_xlsx() -> Response | tuple[str, int]:
    try:
        found = _report()
    except InvalidInput as exc:
        return _refused(exc)
    return _download(report.report_xlsx(found), XLSX, found, "xlsx")
