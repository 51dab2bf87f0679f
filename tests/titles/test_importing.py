"""Reading uploaded title lists: what a user sees when the file is good, and when it is not."""

from __future__ import annotations

import io
import struct
import time
import tracemalloc
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from stdnum import issn

from app.assembly.schemas import TitleIn
from app.titles import importing
from app.titles.importing import RowProblem, TitleImportError, read_titles
from app.uploads.limits import DEFAULT_LIMITS, Limit, UploadOverLimit, UploadTooLarge

NATURE, NATURE_ONLINE = "0028-0836", "1476-4687"
SCIENCE, SCIENCE_ONLINE = "0036-8075", "1095-9203"
PRL, AJP = "0031-9007", "0002-9505"


def test_the_test_issns_are_valid() -> None:
    assert all(issn.is_valid(n) for n in (NATURE, NATURE_ONLINE, SCIENCE, SCIENCE_ONLINE, PRL, AJP))


def xlsx(rows: list[list[Any]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def problems(data: bytes, filename: str = "titles.csv", **limits: int) -> list[RowProblem]:
    with pytest.raises(TitleImportError) as caught:
        read_titles(data, filename=filename, **limits)
    return caught.value.problems


def test_a_good_csv_gives_every_title() -> None:
    data = (
        "title,issn,eissn,subject,price\n"
        f"Nature,{NATURE},{NATURE_ONLINE},Science,12.5\n"
        f"Science,{SCIENCE},,,\n"
    ).encode()
    assert read_titles(data, filename="titles.csv") == [
        TitleIn(title="Nature", issn=NATURE, eissn=NATURE_ONLINE, subject="Science", price="12.5"),
        TitleIn(title="Science", issn=SCIENCE),
    ]


def test_semicolon_csv_with_bom_from_excel_is_read() -> None:
    data = (
        f"\ufeffTitle;ISSN;Price\r\nRevista Española;{NATURE};1.234,5\r\nScience;{SCIENCE};99\r\n"
    )
    with pytest.raises(TitleImportError) as caught:  # a decimal comma is not a price
        read_titles(data.encode(), filename="export.csv")
    assert [(p.row, p.column) for p in caught.value.problems] == [(2, "Price")]

    data = data.replace("1.234,5", "1234.5")
    titles = read_titles(data.encode(), filename="export.csv")
    assert [(t.title, t.price) for t in titles] == [
        ("Revista Española", Decimal("1234.5")),
        ("Science", Decimal("99")),
    ]


def test_tab_separated_text_is_read() -> None:
    data = f"title\tissn\nNature, the journal\t{NATURE}\n".encode()
    [title] = read_titles(data, filename="titles.txt")
    assert (title.title, title.issn) == ("Nature, the journal", NATURE)


def test_header_names_are_matched_loosely_and_unknown_columns_kept() -> None:
    data = (
        " PUBLICATION_TITLE ,Publisher, print_identifier ,Online_Identifier, Price ,Shelf\n"
        f"Nature,Springer,{NATURE},{NATURE_ONLINE},10,A3\n"
    ).encode()
    [title] = read_titles(data, filename="kbart.csv")
    assert title == TitleIn(
        title="Nature",
        issn=NATURE,
        eissn=NATURE_ONLINE,
        publisher="Springer",
        price="10",
        extra={"Shelf": "A3"},
    )


def test_every_bad_row_is_reported_by_row_and_column_and_nothing_imported() -> None:
    data = (
        "Title,ISSN,Price\n"
        f"Nature,0028-0837,10\n"  # row 2: wrong check digit
        f"Science,{SCIENCE},12.5\n"  # row 3: fine, float-looking prices are decimals
        f"Physical Review Letters,{PRL},-3\n"  # row 4: negative price
        f",{AJP},4\n"  # row 5: no title
        f"Phys. Rev. Lett.,{PRL},5\n"  # row 6: same ISSN as row 4
    ).encode()
    found = problems(data)
    assert [(p.row, p.column) for p in found] == [
        (2, "ISSN"),
        (4, "Price"),
        (5, "Title"),
        (6, "ISSN"),
    ]
    reasons = [p.reason for p in found]
    assert "'0028-0837' is not a valid ISSN" in reasons[0]
    assert "check digit" in reasons[0]
    assert reasons[1] == "Input should be greater than or equal to 0"
    assert reasons[2] == "Field required"
    assert reasons[3] == f"ISSN {PRL} is also in row 4 (ISSN)"


def test_the_error_message_sums_up() -> None:
    with pytest.raises(TitleImportError, match="2 problems; nothing was imported"):
        read_titles(b"title,price\nA,-1\nB,x\n", filename="t.csv")
    with pytest.raises(TitleImportError, match=r"^the file is empty$"):
        read_titles(b"", filename="t.csv")


def test_an_issn_given_as_print_in_one_row_and_online_in_another_is_a_duplicate() -> None:
    data = f"title,issn,eissn\nNature,{NATURE},{NATURE}\nOther,,{NATURE}\n".encode()
    assert problems(data) == [
        RowProblem(
            row=3, column="eissn", reason=f"ISSN {NATURE} is also in row 2 (issn)", value=NATURE
        )
    ]


@pytest.mark.parametrize(
    ("data", "filename", "reason"),
    [
        (b"", "titles.csv", "the file is empty"),
        (b"\xef\xbb\xbf", "titles.csv", "the file is empty"),
        (b"title,issn\n", "titles.csv", "there are no titles below the header row"),
        (b"%PDF-1.7\n...", "titles.pdf", "'titles.pdf' is not a KBART, CSV or XLSX file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "titles.xls", "old Excel (.xls)"),
        (b"title\nNature\n", "titles.xlsx", "'titles.xlsx' is not a valid XLSX workbook"),
        (b"PK\x03\x04 not really a zip", "titles.xlsx", "the file is not a valid XLSX workbook"),
        (b"title\x00\x01\x02", "titles.csv", "the file is not text"),
    ],
)
def test_files_that_are_not_title_lists_are_refused(
    data: bytes, filename: str, reason: str
) -> None:
    [problem] = problems(data, filename)
    assert (problem.row, problem.column) == (0, "")
    assert problem.reason.startswith(reason)


def test_text_that_is_not_utf8_names_its_line() -> None:
    data = f"title,issn\nNature,{NATURE}\n".encode() + "Revista Española,\n".encode("latin-1")
    [problem] = problems(data)
    assert problem.reason == "the file is not UTF-8 text (line 3); save it as CSV UTF-8"


def test_a_missing_title_column_is_reported_on_the_header_row() -> None:
    [problem] = problems(f"name,issn\nNature,{NATURE}\n".encode())
    assert (problem.row, problem.column) == (1, "title")
    assert "no title column" in problem.reason


def test_two_columns_for_the_same_field_are_refused() -> None:
    [problem] = problems(b"title,publication_title\nA,B\n")
    assert problem == RowProblem(
        1, "publication_title", "'title' and 'publication_title' both give the title"
    )
    assert problem.value == ""


def test_the_upload_size_is_checked_before_parsing() -> None:
    [problem] = problems(b"title\n" + b"A title\n" * 20, max_bytes=100)
    assert problem.reason == "the file is 166 bytes; the most accepted is 100 bytes"


def test_blank_rows_are_skipped_but_counted() -> None:
    data = b"title\nA\n\n,,\nB\n"
    assert [t.title for t in read_titles(data, filename="t.csv")] == ["A", "B"]
    [problem] = problems(data, max_rows=3)
    assert problem.row == 5
    assert problem.reason.startswith("the list has more than 3 rows")


def _million_rows() -> Iterator[bytes]:
    yield b"title,price\n"
    for n in range(1_000_001):
        yield b"Journal %d,1\n" % n


def test_a_million_row_csv_is_refused_without_reading_it_all() -> None:
    data = b"".join(_million_rows())
    assert 15_000_000 < len(data) < 20_000_000
    tracemalloc.start()
    try:
        [problem] = problems(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert problem.row == 20_002
    assert problem.reason.startswith("the list has more than 20,000 rows")
    assert peak < 50_000_000  # a million parsed rows would take several hundred MB


def test_xlsx_is_read_with_aliases_and_numeric_cells_as_decimals() -> None:
    data = xlsx(
        [
            ["publication_title", "print_identifier", "online_identifier", "Subject", "Price"],
            ["Nature", NATURE, NATURE_ONLINE, "Science", 12.99],
            ["Science", SCIENCE, None, None, 250],
            [None, None, None, None, None],
            ["Physical Review Letters", PRL, "", "Physics", None],
        ]
    )
    titles = read_titles(data, filename="titles.xlsx")
    assert titles == [
        TitleIn(title="Nature", issn=NATURE, eissn=NATURE_ONLINE, subject="Science", price="12.99"),
        TitleIn(title="Science", issn=SCIENCE, price="250"),
        TitleIn(title="Physical Review Letters", issn=PRL, subject="Physics"),
    ]
    assert titles[0].price == Decimal("12.99")


def test_xlsx_problems_name_the_spreadsheet_rows() -> None:
    data = xlsx(
        [
            ["Title", "ISSN", "Price"],
            ["Nature", NATURE, 10],
            ["Science", "0036-8076", -1],
            ["Nature again", NATURE, 2.5],
        ]
    )
    found = problems(data, "titles.xlsx")
    assert [(p.row, p.column) for p in found] == [(3, "ISSN"), (3, "Price"), (4, "ISSN")]
    assert "check digit" in found[0].reason
    assert found[2].reason == f"ISSN {NATURE} is also in row 2 (ISSN)"


def test_a_workbook_is_recognised_by_its_content_whatever_its_name() -> None:
    data = xlsx([["title"], ["Nature"]])
    assert [t.title for t in read_titles(data, filename="upload")] == ["Nature"]


def test_a_sheet_padded_to_a_million_rows_is_refused_quickly() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["title"])
    sheet.append(["Nature"])
    sheet.cell(row=1_000_000, column=1, value="far away")
    out = io.BytesIO()
    workbook.save(out)
    started = time.monotonic()
    with pytest.raises(UploadOverLimit) as caught:
        read_titles(out.getvalue(), filename="titles.xlsx", max_rows=1_000)
    assert caught.value.limit == Limit("rows", 1_000, importing.ROWS_SETTING)
    assert time.monotonic() - started < 5


def _declare_size(data: bytes, member: str, size: int) -> bytes:
    """The workbook with `member`'s uncompressed size in the central directory changed."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        offset = archive.getinfo(member).header_offset
    out = bytearray(data)
    start = 0
    while (start := out.index(b"PK\x01\x02", start)) >= 0:
        if struct.unpack_from("<I", out, start + 42)[0] == offset:
            struct.pack_into("<I", out, start + 24, size)
            return bytes(out)
        start += 4
    raise AssertionError(f"{member} not found")


def test_a_workbook_declaring_a_gigabyte_is_refused_before_openpyxl_opens_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = _declare_size(xlsx([["title"], ["Nature"]]), "xl/worksheets/sheet1.xml", 1 << 30)

    def must_not_open(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("openpyxl opened the workbook")

    monkeypatch.setattr(importing.openpyxl, "load_workbook", must_not_open)
    started = time.monotonic()
    with pytest.raises(UploadTooLarge) as caught:
        read_titles(data, filename="bomb.xlsx")
    assert time.monotonic() - started < 1
    assert caught.value.detail.startswith("the workbook unpacks to 1,07")
    assert caught.value.detail.endswith("the most accepted is 209,715,200 bytes")
    assert caught.value.limit == DEFAULT_LIMITS.limit("unpacked_bytes")


def test_a_member_that_unpacks_to_more_than_it_declares_is_refused() -> None:
    data = _declare_size(xlsx([["title"], ["Nature"]]), "xl/worksheets/sheet1.xml", 100)
    [problem] = problems(data, "titles.xlsx")
    assert problem.reason.startswith(
        "the workbook: xl/worksheets/sheet1.xml cannot be unpacked (Bad CRC-32"
    )


def test_a_workbook_without_a_title_header_is_refused() -> None:
    [problem] = problems(xlsx([[None, "issn"], ["Nature", NATURE]]), "titles.xlsx")
    assert (problem.row, problem.column) == (1, "title")
