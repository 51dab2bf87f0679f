"""Reports: the renewal pipeline, as a page with a chart and as CSV and XLSX downloads."""

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
from app.web.context import unit_of_work
from app.web.pages.auth import login_required

bp = Blueprint("pages_reports", __name__)

READERS = ("support", "manager", "director", "finance", "admin")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


def _download(data: bytes, mimetype: str, extension: str) -> Response:
    name = f"renewal-pipeline-{utcnow().date()}.{extension}"
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
