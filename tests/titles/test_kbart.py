"""KBART Phase II export: what a knowledge base loading the file relies on."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from pydantic import ValidationError

from app.assembly.schemas import TitleIn
from app.titles.importing import read_titles
from app.titles.kbart import kbart_filename, kbart_rows, render_kbart

# NISO RP-9-2014, section 6.6: the 25 Phase II fields, in this order.
PHASE_II = [
    "publication_title",
    "print_identifier",
    "online_identifier",
    "date_first_issue_online",
    "num_first_vol_online",
    "num_first_issue_online",
    "date_last_issue_online",
    "num_last_vol_online",
    "num_last_issue_online",
    "title_url",
    "first_author",
    "title_id",
    "embargo_info",
    "coverage_depth",
    "notes",
    "publisher_name",
    "publication_type",
    "date_monograph_published_print",
    "date_monograph_published_online",
    "monograph_volume",
    "monograph_edition",
    "first_editor",
    "parent_publication_title_id",
    "preceding_publication_title_id",
    "access_type",
]

TITLES = [
    TitleIn(title="Nature", issn="0028-0836", eissn="1476-4687", price="12.50"),
    TitleIn(title='Physical Review "Letters"', issn="0031-9007", subject="Physics"),
    # kept before titles refused control characters: the export still makes it one field
    TitleIn.model_construct(title="Revista\tEspañola\r\nde Física", eissn="1095-9203"),
]


def test_a_title_with_a_tab_or_line_break_is_refused_where_it_comes_in() -> None:
    with pytest.raises(ValidationError, match="title"):
        TitleIn(title="Revista\tEspañola\r\nde Física", eissn="1095-9203")


def parsed(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline=""), delimiter="\t"))


def test_the_header_is_the_phase_ii_field_list() -> None:
    data = render_kbart(TITLES, publisher="Northfield Press")
    # the standard columns in order, then ours (only those the list fills)
    assert data.split(b"\n", 1)[0] == "\t".join([*PHASE_II, "subject", "price"]).encode()
    assert next(kbart_rows([], publisher="x")) == PHASE_II


def test_the_file_is_utf8_tab_separated_with_lf_and_parses_back() -> None:
    data = render_kbart(TITLES, publisher="Northfield Press")
    assert not data.startswith(b"\xef\xbb\xbf")
    assert b"\r" not in data
    assert data.endswith(b"\n")
    rows = parsed(data)
    assert rows == list(
        kbart_rows(TITLES, publisher="Northfield Press", extra=["subject", "price"])
    )
    assert len(rows) == 1 + len(TITLES)
    assert all(len(row) == len(PHASE_II) + 2 for row in rows)


def test_titles_fill_the_serial_fields() -> None:
    _, nature, prl, revista = (
        dict(zip([*PHASE_II, "subject", "price"], row, strict=True))
        for row in parsed(render_kbart(TITLES, publisher="Northfield Press"))
    )
    assert nature["publication_title"] == "Nature"
    assert nature["print_identifier"] == "0028-0836"
    assert nature["online_identifier"] == "1476-4687"
    assert nature["title_id"] == prl["title_id"] == ""  # none is made up
    assert prl["publication_title"] == 'Physical Review "Letters"'
    assert revista["print_identifier"] == ""
    for row in (nature, prl, revista):
        assert row["coverage_depth"] == "fulltext"
        assert row["publisher_name"] == "Northfield Press"
        assert row["publication_type"] == "serial"
        assert row["access_type"] == "P"
    filled = {
        "publication_title",
        "print_identifier",
        "online_identifier",
        "coverage_depth",
        "publisher_name",
        "publication_type",
        "access_type",
    }
    assert nature["price"] == "12.50" and prl["subject"] == "Physics"
    filled |= {"price", "subject"}
    assert all(value == "" for field, value in nature.items() if field not in filled)


def test_tabs_and_line_breaks_inside_values_become_spaces() -> None:
    rows = list(kbart_rows(TITLES, publisher="Northfield\tPress\n"))
    assert rows[3][0] == "Revista Española de Física"
    assert rows[3][15] == "Northfield Press"
    assert render_kbart(TITLES, publisher="P").count(b"\n") == 1 + len(TITLES)


def test_file_name_follows_the_kbart_convention() -> None:
    name = kbart_filename("Contract Desk", "Global", "Northfield Licence", date(2026, 11, 29))
    assert name == "ContractDesk_Global_NorthfieldLicence_2026-11-29.txt"
    name = kbart_filename("Éditions_d'Été", "UK & Ireland", "Maths/Physics 2026", date(2026, 1, 2))
    assert name == "EditionsdEte_UKIreland_MathsPhysics2026_2026-01-02.txt"


def test_a_file_name_part_needs_letters_or_digits() -> None:
    with pytest.raises(ValueError, match="no letters or digits"):
        kbart_filename("Contract Desk", " - ", "Package", date(2026, 1, 1))


def test_every_imported_field_goes_out_again_and_reads_back_the_same() -> None:
    from tests.titles.test_kbart_import import BOOK, NATURE_1, NATURE_2, SCIENCE, kbart

    book = {**BOOK, "access_type": "P"}  # a title without one is exported as paid for
    given = kbart(NATURE_1, SCIENCE, NATURE_2, book, extra=("package_name",))
    titles = read_titles(given.encode(), filename="in.txt")
    data = render_kbart(titles, publisher="Northfield Press")
    rows = parsed(data)
    assert rows[0] == PHASE_II  # no extra column is filled
    by_line = [dict(zip(PHASE_II, row, strict=True)) for row in rows[1:]]
    # Nature's two ranges are two lines, one after the other; its publisher is its own
    assert [r["publication_title"] for r in by_line] == [
        "Nature",
        "Nature",
        "Science Advances",
        "A Treatise on Lists",
    ]
    for field, value in NATURE_1.items():
        assert by_line[0][field] == value, field
    for field, value in NATURE_2.items():
        assert by_line[1][field] == value, field
    for field, value in book.items():
        assert by_line[3][field] == value, field
    assert by_line[2]["publisher_name"] == "AAAS"
    assert read_titles(data, filename="out.txt") == titles


def test_extra_columns_follow_the_standard_ones() -> None:
    titles = [
        TitleIn(title="Nature", eissn="1476-4687", package="Core", extra={"shelf": "A3"}),
        TitleIn(title="Science", eissn="1095-9203", extra={"zone": "B"}),
    ]
    rows = parsed(render_kbart(titles, publisher="P"))
    assert rows[0] == [*PHASE_II, "package", "shelf", "zone"]
    assert rows[1][25:] == ["Core", "A3", ""]
    assert rows[2][25:] == ["", "", "B"]
    assert read_titles(render_kbart(titles, publisher="P"), filename="k.txt") == [
        t.model_copy(update={"access_type": "P", "publisher": "P"}) for t in titles
    ]


def test_a_books_first_and_last_author_go_out_and_read_back() -> None:
    """KBART names a book's first author; its last author travels in a column of ours
    after the standard ones, and a file that brings one (as `last_author`) keeps it."""
    book = TitleIn(
        title="Handbook of Library Consortia",
        publication_type="monograph",
        isbn="978-0-306-40615-7",
        first_author="Okafor",
        last_author="Van den Berg",
    )
    rows = parsed(render_kbart([book], publisher="P"))
    assert rows[0][:25] == PHASE_II and rows[0][25:] == ["last_author"]
    assert rows[1][PHASE_II.index("first_author")] == "Okafor"
    assert rows[1][25] == "Van den Berg"
    [back] = read_titles(render_kbart([book], publisher="P"), filename="k.txt")
    assert (back.first_author, back.last_author) == ("Okafor", "Van den Berg")
