"""KBART files shaped as providers send them and as librarians save them (tests/titles/
files): what a librarian checks after loading one, and after loading our export of it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from app.assembly.title_fields import Coverage
from app.rendering.tables import render_csv, title_table
from app.titles.importing import TitleImportError, read_title_list, read_titles
from app.titles.kbart import KBART_COLUMNS, render_kbart
from app.titles.streaming import copy_kbart
from tests.support.title_lists import title_list_context

FILES = Path(__file__).parent / "files"
WILEY = FILES / "Wiley_Global_AllJournals_2027-01-01.txt"
JASIS = "Journal of the American Society for Information Science"
SURFACES = "Physics, Chemistry and Biology of Surfaces"


def _read(path: Path) -> bytes:
    return path.read_bytes()


def test_a_journal_with_a_gap_in_its_coverage_is_one_title_with_two_ranges() -> None:
    titles = read_titles(_read(WILEY), filename=WILEY.name)
    assert [t.title for t in titles] == [JASIS, SURFACES, "Library Quarterly"]
    jasis, surfaces, quarterly = titles
    assert jasis.coverage == [
        Coverage(
            first_date="1970-01-01",
            first_volume="21",
            first_issue="1",
            last_date="2000-12-31",
            last_volume="51",
            last_issue="14",
            notes="Backfile",
        ),
        Coverage(
            first_date="2003-01-01",
            first_volume="54",
            first_issue="1",
            embargo="P12M",
            notes="No issues 2001-2002",
        ),
    ]
    assert (jasis.issn, jasis.eissn, jasis.title_id) == (
        "0002-8231",
        "1097-4571",
        "10.1002/(ISSN)1097-4571",
    )
    # an online-only journal: no print ISSN, open access
    assert (surfaces.issn, surfaces.eissn, surfaces.access_type) == (None, "1476-4687", "F")
    assert (quarterly.eissn, quarterly.coverage[0].embargo) == ("1549-652X", "R3Y")
    assert quarterly.publisher == "University of Chicago Press"


def test_our_kbart_of_a_providers_file_holds_every_line_of_it() -> None:
    titles = read_titles(_read(WILEY), filename=WILEY.name)
    exported = render_kbart(titles, publisher="Northfield Academic Press").decode()
    given = WILEY.read_text().splitlines()
    lines = exported.splitlines()
    assert lines[0] == given[0] == "\t".join(KBART_COLUMNS)
    # the same rows; a title's ranges come together, in the order the file gave them
    assert sorted(lines[1:]) == sorted(given[1:])
    assert [line.split("\t")[0] for line in lines[1:]] == [
        JASIS,
        JASIS,
        SURFACES,
        "Library Quarterly",
    ]


def test_a_file_saved_from_excel_is_read_as_the_provider_wrote_it() -> None:
    """Excel's "Unicode (UTF-8) text": a BOM, CRLF, trailing tabs, and a cell holding a
    comma put in quotation marks."""
    data = _read(FILES / "excel_saved_utf8.txt")
    assert data.startswith(b"\xef\xbb\xbf") and b"\t\t\r\n" in data
    titles = read_titles(data, filename="excel_saved_utf8.txt")
    assert titles == [
        t.model_copy(update={"extra": {"package_name": "Wiley Full Collection"}})
        for t in read_titles(_read(WILEY), filename=WILEY.name)
    ]
    assert titles[1].title == SURFACES


def test_a_title_in_quotation_marks_of_its_own_keeps_them() -> None:
    text = WILEY.read_text().replace(SURFACES, f'"{SURFACES}" Letters')
    titles = read_titles(text.encode(), filename="list.txt")
    assert titles[1].title == f'"{SURFACES}" Letters'


def test_a_shifted_row_refuses_the_file_naming_its_line_column_and_value() -> None:
    data = _read(FILES / "shifted_row.txt")
    with pytest.raises(TitleImportError) as caught:
        read_titles(data, filename="shifted_row.txt")
    found = [(p.row, p.column, p.value) for p in caught.value.problems]
    assert (5, "", "P") in found  # a value beyond the last column: the row is shifted
    assert (5, "date_first_issue_online", "1549-652X") in found
    assert {row for row, _, _ in found} == {5}


def test_the_good_rows_of_a_file_with_a_shifted_row_can_be_taken() -> None:
    result = read_title_list(
        _read(FILES / "shifted_row.txt"), filename="shifted_row.txt", keep_good=True
    )
    assert [t.title for t in result.titles] == [JASIS, SURFACES]
    assert len(result.titles[0].coverage) == 2
    assert {p.row for p in result.skipped} == {5}


def test_a_file_saved_from_excel_as_unicode_text_is_read() -> None:
    """Excel's "Unicode Text" is UTF-16 with a BOM, the way many a librarian saves a sheet
    as tab-separated text."""
    text = WILEY.read_text().replace("\n", "\r\n")
    data = text.encode("utf-16")  # with its BOM
    assert data.startswith(b"\xff\xfe")
    assert read_titles(data, filename="from_excel.txt") == read_titles(
        _read(WILEY), filename=WILEY.name
    )


def test_a_journal_with_a_free_backfile_is_one_title_each_range_with_its_access() -> None:
    """Back files open to all ("F"), the current volumes paid for ("P"): KBART says so row
    by row, and the export says it again."""
    lines = WILEY.read_text().splitlines()
    lines[1] = lines[1].removesuffix("\tP") + "\tF"  # JASIS to 2000: free
    text = "\n".join(lines) + "\n"
    titles = read_titles(text.encode(), filename="list.txt")
    jasis = titles[0]
    assert [(c.first_date, c.access_type or jasis.access_type) for c in jasis.coverage] == [
        ("1970-01-01", "F"),
        ("2003-01-01", "P"),
    ]
    exported = render_kbart(titles, publisher="Northfield Academic Press").decode()
    assert sorted(exported.splitlines()[1:]) == sorted(text.splitlines()[1:])
    assert read_titles(exported.encode(), filename="again.txt") == titles


def test_a_free_backfile_keeps_its_access_in_a_long_list_and_a_spreadsheet() -> None:
    lines = WILEY.read_text().splitlines()
    lines[1] = lines[1].removesuffix("\tP") + "\tF"
    text = "\n".join([lines[0], lines[1], lines[3], lines[2], lines[4]]) + "\n"  # rows together
    titles = read_titles(text.encode(), filename="list.txt")
    out = io.StringIO()
    assert copy_kbart(io.StringIO(text), out, publisher="Northfield Academic Press") == []
    assert read_titles(out.getvalue().encode(), filename="copied.txt") == titles
    context = title_list_context(
        [t.model_dump(mode="json", exclude_defaults=True) for t in titles],
        customer="Consortium",
        number="T-2027-000009",
    )
    data = render_csv(title_table(context))
    assert read_titles(data, filename="export.csv") == titles
