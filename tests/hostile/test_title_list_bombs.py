"""Issue 10: a title list that is an XLSX bomb or a CSV of a million rows is refused
quickly and in bounded memory, with a problem that says the limit, and imports nothing."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from apiflask import APIFlask
from openpyxl import Workbook

from tests.conftest import bearer, row_counts
from tests.hostile.bombs import GIB, measured, member, repeated, zip_of
from tests.support.flows import signed_licence

_ROW = (
    b'<row><c t="inlineStr"><is><t>Journal of Repeated Results</t></is></c>'
    b'<c t="inlineStr"><is><t>0028-0836</t></is></c></row>'
)


def _xlsx_with_sheet_of(size: int, *, declared_size: int | None = None) -> bytes:
    """A real workbook whose first sheet inflates to `size` bytes of rows."""
    workbook = Workbook()
    workbook.active.append(["title", "issn"])  # type: ignore[union-attr]
    out = io.BytesIO()
    workbook.save(out)
    sheet = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(out) as real:
        parts = [member(name, real.read(name)) for name in real.namelist() if name != sheet]
    head = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    )
    # a row in each mebibyte, the rest blanks: as big as a sheet of rows, but it packs
    # 1000:1 like zeros do, so that 1 GiB fits in an upload
    block = _ROW + b" " * (1024 * 1024 - len(_ROW))
    # the sheet never closes: a reader that gets to the end has read every byte
    body = repeated(sheet, block, size // len(block), prefix=head, declared_size=declared_size)
    return zip_of([*parts, body])


def _csv_rows(count: int, row: bytes) -> bytes:
    return b"title\n" + row * count


CASES: dict[str, tuple[str, bytes, int, str]] = {
    "xlsx-declaring-1-GiB": (
        "titles.xlsx",
        _xlsx_with_sheet_of(GIB),
        413,
        "the workbook unpacks to 1,07",
    ),
    "xlsx-inflating-to-1-GiB-declaring-1-MB": (
        "titles.xlsx",
        _xlsx_with_sheet_of(GIB, declared_size=1024 * 1024),
        422,
        "xl/worksheets/sheet1.xml cannot be unpacked",
    ),
    "csv-of-a-million-short-rows": (
        "titles.csv",
        _csv_rows(1_000_000, b"T\n"),
        422,
        "the list has more than 20,000 rows (blank rows included)",
    ),
    "kbart-of-a-million-short-rows": (
        "titles.txt",
        b"publication_title\tprint_identifier\n" + b"T\t\n" * 1_000_000,
        422,
        "the list has more than 100,000 rows (blank rows included)",
    ),
    "csv-of-a-million-real-rows": (
        "titles.csv",
        _csv_rows(1_000_000, b"Journal of Repeated Results,0028-0836,,Science,100.00\n"),
        413,
        "the request body is larger than 50,331,648 bytes, the most accepted "
        "(CONTRACTDESK_TITLE_LIST_MAX_BYTES)",
    ),
}


@pytest.fixture(scope="module")
def licence_app(postgres_url: str, tmp_path_factory: Any, instance_dir: Any) -> Any:
    """One signed licence for every case: signing one is the slow part."""
    from tests.conftest import build_app, make_settings

    app = build_app(make_settings(postgres_url, tmp_path_factory.mktemp("titles"), instance_dir))
    yield app, signed_licence(app)
    app.extensions["contractdesk"].close()


@pytest.mark.parametrize(
    ("filename", "body", "status", "message"), CASES.values(), ids=CASES.keys()
)
def test_a_hostile_title_list_is_refused_quickly_in_bounded_memory_and_imports_nothing(
    licence_app: tuple[APIFlask, dict[str, Any]],
    filename: str,
    body: bytes,
    status: int,
    message: str,
) -> None:
    app, licence = licence_app
    runtime = app.extensions["contractdesk"]
    support = bearer(app, "support@example.com")
    counts = row_counts(runtime)

    with measured() as cost:
        answer = app.test_client().post(
            f"/api/v1/documents/{licence['id']}/title-lists?year=2027&filename={filename}",
            data=body,
            headers=support,
        )

    assert answer.status_code == status, answer.json
    assert answer.mimetype == "application/problem+json"
    assert message in answer.json["detail"] + str(answer.json.get("errors"))
    assert cost.seconds < 10
    assert cost.peak_mb < 100
    assert row_counts(runtime) == counts


def test_the_xlsx_bombs_are_small_enough_to_be_uploaded_and_really_inflate() -> None:
    assert all(
        len(body) < 2 * 1024 * 1024
        for filename, body, _, _ in CASES.values()
        if filename.endswith("x")
    )
    with zipfile.ZipFile(io.BytesIO(_xlsx_with_sheet_of(GIB))) as workbook:
        assert workbook.getinfo("xl/worksheets/sheet1.xml").file_size > 0.99 * GIB
