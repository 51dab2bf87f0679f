"""Reports: the renewal pipeline and order to bill, each as a page and as CSV and XLSX."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request

from app.db import utcnow
from app.renewals.pipeline import (
    PipelineRow,
    chart_bars,
    pipeline_csv,
    pipeline_xlsx,
    renewal_pipeline,
)
from app.reports.order_to_bill import chart_bars as order_to_bill_chart
from app.reports.order_to_bill import order_to_bill as order_to_bill_rows
from app.reports.order_to_bill import order_to_bill_csv as order_to_bill_csv_bytes
from app.reports.order_to_bill import order_to_bill_xlsx as order_to_bill_xlsx_bytes
from app.web.context import unit_of_work
from app.web.pages.auth import login_required

bp = Blueprint("pages_reports", __name__)

READERS = ("support", "manager", "director", "finance", "admin")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
"""Given whole as the Content-Type (a mimetype would get a second charset added)."""


def _rows() -> tuple[list[PipelineRow], str]:
    uow = unit_of_work()
    with uow:
        matrix = uow.settings.approval_matrix
        return renewal_pipeline(uow.session, matrix), matrix.base_currency


@bp.get("/reports/renewals")
@login_required(*READERS)
def renewals() -> str:
    rows, base = _rows()
    quarters, bars, tallest = chart_bars(rows)
    return render_template(
        "reports/renewals.html",
        rows=rows,
        base=base,
        quarters=quarters,
        bars=bars,
        tallest=tallest,
        statuses=sorted({r.status for r in rows}),
    )


def _download(
    data: bytes, content_type: str, extension: str, report: str = "renewal-pipeline"
) -> Response:
    name = f"{report}-{utcnow().date()}.{extension}"
    return Response(
        data,
        content_type=content_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/reports/renewals.csv")
@login_required(*READERS)
def renewals_csv() -> Response:
    rows, base = _rows()
    return _download(pipeline_csv(rows, base), CSV, "csv")


@bp.get("/reports/renewals.xlsx")
@login_required(*READERS)
def renewals_xlsx() -> Response:
    rows, base = _rows()
    return _download(pipeline_xlsx(rows, base), XLSX, "xlsx")


@bp.get("/reports/order-to-bill")
@login_required(*READERS)
def order_to_bill() -> str:
    uow = unit_of_work()
    with uow:
        rows = order_to_bill_rows(uow.session, request.args.get("year", type=int))
    months, bars, tallest = order_to_bill_chart(rows)
    return render_template(
        "reports/order_to_bill.html", rows=rows, months=months, bars=bars, tallest=tallest
    )


@bp.get("/reports/order-to-bill.csv")
@login_required(*READERS)
def order_to_bill_csv() -> Response:
    uow = unit_of_work()
    with uow:
        rows = order_to_bill_rows(uow.session, request.args.get("year", type=int))
    return _download(order_to_bill_csv_bytes(rows), CSV, "csv", "order-to-bill")


@bp.get("/reports/order-to-bill.xlsx")
@login_required(*READERS)
def order_to_bill_xlsx() -> Response:
    uow = unit_of_work()
    with uow:
        rows = order_to_bill_rows(uow.session, request.args.get("year", type=int))
    return _download(order_to_bill_xlsx_bytes(rows), XLSX, "xlsx", "order-to-bill")
