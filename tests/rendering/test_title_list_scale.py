"""A long title list through the chunked PDF renderer reads like one long table: every
title once and in order, the header row on every page, "Page N of M" running on, and the
pages breaking where WeasyPrint breaks the same list laid out in one piece."""

from __future__ import annotations

import re
import subprocess
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from stdnum import issn

from app.assembly.clauses import ClauseText
from app.assembly.document import DocumentInput, Party
from app.assembly.schemas import TitleListData
from app.assembly.tax import TaxDecision
from app.assembly.title_list import assemble_title_list
from app.config import PROJECT_ROOT
from app.library.clause_files import read_clause_file
from app.library.template_packages import read_template_package
from app.rendering import title_list_pdf
from app.rendering.pdf import render_pdf

PACKAGE = read_template_package(PROJECT_ROOT / "contract_templates" / "title-list")
TITLES = 600
TITLE = re.compile(r"Scale Test Journal (\d{4})\b")
HEADER = re.compile(r"^\s*No\.\s+Title\s+ISSN\s+eISSN\s+Subject\s+Price\s*$", re.MULTILINE)


def _context() -> dict[str, Any]:
    """A list assembled as the app assembles one: every ninth title has a subject that wraps
    (a taller row), every eleventh an ampersand."""
    titles = []
    for n in range(1, TITLES + 1):
        digits = f"{3000000 + n * 7919:07d}"
        titles.append(
            {
                "title": f"Scale Test Journal {n:04d}" + (" & Letters" if n % 11 == 0 else ""),
                "issn": issn.format(digits + issn.calc_check_digit(digits)),
                "subject": "Physical, Chemical and Earth Sciences" if n % 9 == 0 else "Physics",
                "price": f"{1000 + n}.00",
            }
        )
    data = TitleListData.model_validate(
        {
            "account": {"name": "Scale Test Consortium", "country": "NL"},
            "currency": "EUR",
            "titles": titles,
        }
    )
    notes = read_clause_file(PROJECT_ROOT / "clauses" / "title-list-notes.md")
    english = next(v for v in notes.variants if v.variant.language == "en")
    document = DocumentInput(
        kind="title-list",
        number="T-2027-000042",
        issued_on=date(2027, 1, 4),
        seller=Party(name="Northfield Academic Press", address="1 Press Lane"),
        customer=Party(name="Scale Test Consortium", address="", country="NL"),
        data=data,
        lines=[],
        outline=PACKAGE.outline,
        clauses={notes.key: ClauseText(notes.key, english.title, 1, english.sha256, english.body)},
        labels=PACKAGE.labels_for("en"),
        jurisdiction="england-wales",
        tax=TaxDecision(Decimal(0), "reverse-charge"),
    )
    return assemble_title_list(document).context


def _pages(pdf: bytes) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return text.split("\f")[:-1]


@pytest.fixture(scope="module")
def pages() -> tuple[list[str], list[str]]:
    """The list's pages as text: through the renderer in chunks of 150 rows (four chunks,
    three joints), and through render_pdf in one piece."""
    context = _context()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(title_list_pdf, "CHUNK_ROWS", 150)
        chunked = title_list_pdf.render_title_list_pdf(PACKAGE.path, PACKAGE.html, context)
    return _pages(chunked), _pages(render_pdf(PACKAGE.path, PACKAGE.html, context))


def _first_titles(pages: list[str]) -> list[str | None]:
    return [match.group(1) if (match := TITLE.search(page)) else None for page in pages]


def test_every_title_appears_once_and_in_order(pages: tuple[list[str], list[str]]) -> None:
    chunked, _ = pages
    assert TITLE.findall("\n".join(chunked)) == [f"{n:04d}" for n in range(1, TITLES + 1)]
    assert sum(page.count("& Letters") for page in chunked) == TITLES // 11


def test_the_footer_counts_the_pages_of_the_whole_list(pages: tuple[list[str], list[str]]) -> None:
    chunked, _ = pages
    assert len(chunked) > 10
    for number, page in enumerate(chunked, start=1):
        assert page.rstrip().endswith(f"Page {number} of {len(chunked)}"), number
        assert "T-2027-000042" in page


def test_the_header_row_heads_every_page_of_titles(pages: tuple[list[str], list[str]]) -> None:
    chunked, _ = pages
    assert _first_titles(chunked)[1] is not None
    for page in chunked:
        if first := TITLE.search(page):
            header = HEADER.search(page)
            assert header is not None and header.start() < first.start()
    assert "Northfield Academic Press · T-2027-000042" in chunked[1]


def test_pages_break_where_the_list_in_one_piece_breaks(
    pages: tuple[list[str], list[str]],
) -> None:
    chunked, whole = pages
    assert _first_titles(chunked) == _first_titles(whole)


def test_the_cover_opens_and_the_notes_close_the_list(pages: tuple[list[str], list[str]]) -> None:
    chunked, _ = pages
    text = "\n".join(chunked)
    assert "Scale Test Consortium" in chunked[0] and text.count("Prepared for") == 1
    assert text.index("Scale Test Journal 0600") < text.index("About this list")
    assert "About this list" in chunked[-1]
