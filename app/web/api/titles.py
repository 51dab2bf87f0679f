"""A licence's title lists: upload a year's list, list the versions, compare two years."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Any

from apiflask import APIBlueprint
from flask import Response, request

from app.db import utcnow
from app.titles import schedule
from app.titles import services as titles
from app.titles.schedule_files import schedule_file
from app.titles.year_on_year_files import comparison_csv, comparison_xlsx
from app.titles.year_on_year_pdf import render_year_on_year_pdf
from app.users import scopes
from app.web.api.auth import auth, current_user
from app.web.api.documents import document_out, document_overview_of
from app.web.context import unit_of_work
from app.web.schemas.titles import (
    CompareQuery,
    ScheduleOut,
    ScheduleQuery,
    TitleListImportOut,
    TitleListImportQuery,
    TitleListsOut,
    YearOnYearOut,
)

bp = APIBlueprint("api_titles", __name__, url_prefix="/api/v1", tag="Title lists")

COMPARE_PDF_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The comparison as a PDF",
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    },
    404: {"description": "No list for a year asked"},
    409: {"description": "Not a licence"},
}


@bp.post("/documents/<uuid:licence_id>/title-lists")
@bp.auth_required(auth, roles=[scopes.WRITE])
@bp.input(TitleListImportQuery, location="query")
@bp.output(TitleListImportOut, status_code=201)
@bp.doc(
    summary="Import a year's title list for a signed licence (KBART, CSV or XLSX as the body)",
    description="KBART Phase II columns, or title, issn, eissn, isbn, eisbn, subject, "
    "package, price and coverage (our own CSV and XLSX exports in English or Dutch read "
    "back). Rows of one title are joined as its coverage ranges. Every row is checked "
    "first: a bad file is answered with each row, column and value, and nothing is "
    "imported, unless skip_bad_rows asks for the good rows (the others are returned). "
    "Each import is a new version of the year's list; the year must be in the licence's "
    "term.",
    responses=[403, 404, 409, 413, 422],
)
def import_list(licence_id: uuid.UUID, query_data: TitleListImportQuery) -> tuple[Any, int]:
    uow = unit_of_work()
    request.max_content_length = uow.settings.title_list_max_bytes
    imported = titles.import_title_list(
        uow,
        licence_id,
        data=request.get_data(cache=False),
        filename=query_data.filename,
        year=query_data.year,
        actor=current_user(),
        keep_good=query_data.skip_bad_rows,
    )
    out = document_out(document_overview_of(imported.document_id))
    out["skipped_rows"] = [
        {"row": p.row, "column": p.column, "value": p.value, "detail": titles.problem_text(p)}
        for p in imported.skipped[: titles.MAX_PROBLEMS_SHOWN]
    ]
    return out, 201


@bp.get("/documents/<uuid:licence_id>/title-lists")
@bp.auth_required(auth, roles=[scopes.READ])
@bp.output(TitleListsOut)
@bp.doc(summary="A licence's title lists by year and version", responses=[404, 409])
def list_versions(licence_id: uuid.UUID) -> dict[str, Any]:
    uow = unit_of_work()
    with uow:
        return {"lists": [asdict(v) for v in titles.title_lists(uow.session, licence_id)]}


def _year_on_year(licence_id: uuid.UUID, query: CompareQuery) -> dict[str, Any]:
    uow = unit_of_work()
    with uow:
        result = schedule.year_on_year(
            uow.session,
            licence_id,
            before=query.before,
            after=query.after,
            storage=uow.storage,
        )
        return schedule.year_on_year_view(result)


@bp.get("/documents/<uuid:licence_id>/title-lists/compare")
@bp.auth_required(auth, roles=[scopes.READ])
@bp.input(CompareQuery, location="query")
@bp.output(YearOnYearOut)
@bp.doc(
    summary="The latest lists of two years compared: added, removed, price changed",
    responses={404: "No list for a year asked", 409: "Not a licence"},
)
def compare(licence_id: uuid.UUID, query_data: CompareQuery) -> dict[str, Any]:
    return _year_on_year(licence_id, query_data)


@bp.get("/documents/<uuid:licence_id>/title-lists/compare.pdf")
@bp.auth_required(auth, roles=[scopes.READ])
@bp.input(CompareQuery, location="query")
@bp.doc(
    summary="The year-on-year comparison as a PDF",
    responses=COMPARE_PDF_RESPONSES,
)
def compare_pdf(licence_id: uuid.UUID, query_data: CompareQuery) -> Response:
    view = _year_on_year(licence_id, query_data)
    name = f"{view['licence']}-titles-{view['before']['year']}-{view['after']['year']}.pdf"
    return Response(
        render_year_on_year_pdf(view),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


COMPARE_FILES = {
    "csv": ("text/csv; charset=utf-8", comparison_csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", comparison_xlsx),
}


def _compare_file(licence_id: uuid.UUID, kind: str, query: CompareQuery) -> Response:
    view = _year_on_year(licence_id, query)
    content_type, render = COMPARE_FILES[kind]
    name = f"{view['licence']}-titles-{view['before']['year']}-{view['after']['year']}.{kind}"
    return Response(
        render(view),
        content_type=content_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/documents/<uuid:licence_id>/title-lists/compare.csv")
@bp.auth_required(auth, roles=[scopes.READ])
@bp.input(CompareQuery, location="query")
@bp.doc(
    summary="The year-on-year comparison as CSV, a row per change",
    responses={404: "No list for a year asked", 409: "Not a licence"},
)
def compare_csv(licence_id: uuid.UUID, query_data: CompareQuery) -> Response:
    return _compare_file(licence_id, "csv", query_data)


@bp.get("/documents/<uuid:licence_id>/title-lists/compare.xlsx")
@bp.auth_required(auth, roles=[scopes.READ])
@bp.input(CompareQuery, location="query")
@bp.doc(
    summary="The year-on-year comparison as XLSX, a row per change",
    responses={404: "No list for a year asked", 409: "Not a licence"},
)
def compare_xlsx(licence_id: uuid.UUID, query_data: CompareQuery) -> Response:
    return _compare_file(licence_id, "xlsx", query_data)


@bp.get("/documents/<uuid:licence_id>/title-schedule")
@bp.auth_required(auth, roles=[scopes.READ])
@bp.input(ScheduleQuery, location="query")
@bp.output(ScheduleOut)
@bp.doc(
    summary="The licence's titles for a year: the latest list uploaded for it, else the "
    "licence's own titles as amended by then",
    responses={404: "No titles for the year", 409: "Not a licence"},
)
def title_schedule(licence_id: uuid.UUID, query_data: ScheduleQuery) -> dict[str, Any]:
    uow = unit_of_work()
    with uow:
        found = schedule.title_schedule(
            uow.session, licence_id, query_data.year, storage=uow.storage
        )
        return schedule.schedule_view(found)


def _schedule_file(licence_id: uuid.UUID, kind: str, year: int) -> Response:
    uow = unit_of_work()
    with uow:
        found = schedule.title_schedule(
            uow.session, licence_id, year, storage=uow.storage, read_long_list=kind != "kbart"
        )
        licence = titles.licence_of(uow.session, licence_id)
        file = schedule_file(
            found,
            kind,
            seller=uow.settings.seller_name,
            customer=licence.customer.get("name", ""),
            currency=licence.currency,
            on=utcnow().date(),
            labels=titles.list_labels(uow.session, licence, uow.settings.template_cache_dir)
            if kind != "kbart"
            else None,
        )
    return Response(
        file.chunks,
        content_type=file.content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{file.filename}"',
            "Cache-Control": "private, no-store",
        },
    )


SCHEDULE_FILE_RESPONSES = {404: "No titles for the year", 409: "Not a licence"}


@bp.get("/documents/<uuid:licence_id>/title-schedule.kbart")
@bp.auth_required(auth, roles=[scopes.READ])
@bp.input(ScheduleQuery, location="query")
@bp.doc(
    summary="The licence's titles for a year as KBART (Phase II), sent as it is written",
    responses=SCHEDULE_FILE_RESPONSES,
)
def title_schedule_kbart(licence_id: uuid.UUID, query_data: ScheduleQuery) -> Response:
    return _schedule_file(licence_id, "kbart", query_data.year)


@bp.get("/documents/<uuid:licence_id>/title-schedule.csv")
@bp.auth_required(auth, roles=[scopes.READ])
@bp.input(ScheduleQuery, location="query")
@bp.doc(summary="The licence's titles for a year as CSV", responses=SCHEDULE_FILE_RESPONSES)
def title_schedule_csv(licence_id: uuid.UUID, query_data: ScheduleQuery) -> Response:
    return _schedule_file(licence_id, "csv", query_data.year)


@bp.get("/documents/<uuid:licence_id>/title-schedule.xlsx")
@bp.auth_required(auth, roles=[scopes.READ])
@bp.input(ScheduleQuery, location="query")
@bp.doc(summary="The licence's titles for a year as XLSX", responses=SCHEDULE_FILE_RESPONSES)
def title_schedule_xlsx(licence_id: uuid.UUID, query_data: ScheduleQuery) -> Response:
    return _schedule_file(licence_id, "xlsx", query_data.year)
