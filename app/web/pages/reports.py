"""Reports: the renewal pipeline and order to bill, each as a page and as CSV and XLSX."""

from __future__ import annotations

from flask import Blueprint, Response, render_template

from app.db import utcnow
from app.renewals.pipeline import (
    PipelineRow,
    chart_bars,
    pipeline_csv,
    pipeline_xlsx,
    renewal_pipeline,
)
from app.reports.order_to_bill import order_to_bill as order_to_bill_rows
from app.reports.order_to_bill import order_to_bill_csv as order_to_bill_csv_bytes
from app.reports.order_to_bill import order_to_bill_xlsx as order_to_bill_xlsx_bytes
from app.web.context import unit_of_work
from app.web.pages.auth import login_required

bp = Blueprint("pages_reports", __name__)

READERS = ("support", "manager", "director", "finance", "admin")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


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
    data: bytes, mimetype: str, extension: str, report: str = "renewal-pipeline"
) -> Response:
    name = f"{report}-{utcnow().date()}.{extension}"
    return Response(
        data,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/reports/renewals.csv")
@login_required(*READERS)
def renewals_csv() -> Response:
    rows, base = _rows()
    return _download(pipeline_csv(rows, base), "text/csv; charset=utf-8", "csv")


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
        return render_template("reports/order_to_bill.html", rows=order_to_bill_rows(uow.session))


@bp.get("/reports/order-to-bill.csv")
@login_required(*READERS)
def order_to_bill_csv() -> Response:
    uow = unit_of_work()
    with uow:
        rows = order_to_bill_rows(uow.session)
    return _download(
        order_to_bill_csv_bytes(rows), "text/csv; charset=utf-8", "csv", "order-to-bill"
    )


@bp.get("/reports/order-to-bill.xlsx")
@login_required(*READERS)
def order_to_bill_xlsx() -> Response:
    uow = unit_of_work()
    with uow:
        rows = order_to_bill_rows(uow.session)
    return _download(order_to_bill_xlsx_bytes(rows), XLSX, "xlsx", "order-to-bill")
