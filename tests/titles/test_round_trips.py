"""Every export of a title list, in each language, read back by the importer gives the
same list: titles, identifiers, coverage, prices. And the XLSX is a spreadsheet to work in."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from app.assembly.schemas import TitleIn
from app.rendering.tables import render_csv, render_xlsx, title_table
from app.titles.importing import read_titles
from app.titles.kbart import render_kbart
from tests.support.title_lists import title_list_context

FILES = Path(__file__).parent / "files"

TITLES: list[dict[str, Any]] = [
    {
        "title": "Nature",
        "issn": "0028-0836",
        "eissn": "1476-4687",
        "publisher": "Springer Nature",
        "subject": "Science",
        "package": "Core",
        "title_url": "https://www.nature.com/nature",
        "coverage": [
            {"first_date": "1869-11-04", "first_volume": "1", "last_date": "1990-12"},
            {"first_date": "1997", "first_volume": "385", "embargo": "R1Y"},
        ],
        "price": "12345.50",
    },
    {"title": "Science Advances", "eissn": "1095-9203", "price": "0"},
    {
        "title": "A Treatise on Lists, with a Subtitle Long Enough to Wrap",
        "publication_type": "monograph",
        "isbn": "9780306406157",
        "eisbn": "9783161484100",
        "subject": "Documentation",
    },
    {"title": "Revue Élégante", "issn": "0031-9007", "package": "Humanities", "price": "99.99"},
]


def _context(language: str) -> dict[str, Any]:
    return title_list_context(
        TITLES, customer="Consortium", number="T-2027-000007", language=language
    )


def _expected() -> list[TitleIn]:
    return [TitleIn.model_validate(t) for t in TITLES]


@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_spreadsheet_export_reads_back_to_the_same_list(language: str, kind: str) -> None:
    table = title_table(_context(language))
    data = render_csv(table) if kind == "csv" else render_xlsx(table)
    assert read_titles(data, filename=f"export.{kind}") == _expected()


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_kbart_export_reads_back_to_the_same_list(language: str) -> None:
    context = _context(language)
    data = render_kbart(context["title_items"], publisher="Northfield Academic Press")
    back = read_titles(data, filename="Northfield_Global_All_2027-01-01.txt")
    filled = {"publisher": "Northfield Academic Press", "access_type": "P"}
    assert back == [
        t.model_copy(update={k: v for k, v in filled.items() if not getattr(t, k)})
        for t in _expected()
    ]


def test_the_dutch_export_is_headed_in_dutch() -> None:
    headers = title_table(_context("nl")).headers
    assert headers[:3] == ("Titel", "ISSN", "e-ISSN")
    assert headers[-1] == "Prijs (EUR)"
    assert "Dekking vanaf" in headers


def test_the_xlsx_has_numbers_text_widths_a_frozen_header_and_a_filter() -> None:
    data = render_xlsx(title_table(_context("en")))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    price_column = header.index("Price (EUR)") + 1
    price = sheet.cell(row=2, column=price_column)
    assert price.value == Decimal("12345.50") or price.value == 12345.5
    assert price.data_type == "n"
    assert "EUR" in price.number_format and "0.00" in price.number_format
    isbn = sheet.cell(row=5, column=header.index("ISBN") + 1)
    assert (isbn.value, isbn.data_type, isbn.number_format) == ("9780306406157", "s", "@")
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:R{sheet.max_row}"
    assert sheet.max_row == 1 + 5  # Nature's two ranges are two rows
    assert sheet.column_dimensions["A"].width > 30
    assert sheet.cell(row=1, column=1).font.bold


BOOK_WITH_EVERYTHING: dict[str, Any] = {
    "title": "=Lists: a History",  # a spreadsheet would take it for a formula
    "title_id": "B-17",
    "publication_type": "monograph",
    "isbn": "9780306406157",
    "first_author": "Otlet",
    "last_author": "La Fontaine",
    "first_editor": "Rayward",
    "publisher": "Mundaneum",
    "access_type": "F",
    "date_monograph_published_print": "1934",
    "date_monograph_published_online": "2020-05-01",
    "monograph_volume": "2",
    "monograph_edition": "3",
    "parent_publication_title_id": "P-1",
    "preceding_publication_title_id": "B-16",
    "coverage": [{"depth": "ebook", "notes": "Chapters 1-9 only"}],
    "extra": {"oclc_number": "123456"},
    "price": "45.00",
}


@pytest.mark.parametrize("language", ["en", "nl", "zh"])
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_providers_kbart_read_and_exported_reads_back_with_every_field(
    language: str, kind: str
) -> None:
    wiley = FILES / "Wiley_Global_AllJournals_2027-01-01.txt"
    titles = [
        *read_titles(wiley.read_bytes(), filename=wiley.name),
        TitleIn.model_validate(BOOK_WITH_EVERYTHING),
    ]
    context = title_list_context(
        [t.model_dump(mode="json", exclude_defaults=True) for t in titles],
        customer="Consortium",
        number="T-2027-000008",
        language=language,
    )
    table = title_table(context)
    data = render_csv(table) if kind == "csv" else render_xlsx(table)
    assert read_titles(data, filename=f"export.{kind}") == titles


def test_the_chinese_export_is_headed_in_chinese() -> None:
    headers = title_table(_context("zh")).headers
    assert headers[0] == "刊名"
    assert headers[-1] == "价格 (EUR)"
