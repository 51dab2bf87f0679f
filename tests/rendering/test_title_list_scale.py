"""A long title list through its PDF renderer reads like one long table: every title once
and in order, the header row on every page, "Page N of M" running on, and the pages
breaking where WeasyPrint breaks the same list laid out in one piece. Both ways are held
to it: rows drawn straight onto pages in the grid's measured geometry, and (for a list the
grid's font can't set) rows laid out by WeasyPrint a chunk at a time; drawn pages are also
compared with WeasyPrint's, pixel by pixel."""

from __future__ import annotations

import re
import subprocess
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from stdnum import issn
from weasyprint import HTML
from weasyprint.document import Page

from app.assembly.clauses import ClauseText
from app.assembly.document import DocumentInput, Party
from app.assembly.schemas import TitleListData
from app.assembly.tax import TaxDecision
from app.assembly.title_list import assemble_title_list
from app.config import PROJECT_ROOT
from app.library.clause_files import read_clause_file
from app.library.template_packages import read_template_package
from app.rendering import long_grid_pdf
from app.rendering.grid_pages import GridPages
from app.rendering.pdf import PackageAssetFetcher, render_html, render_pdf
from tests.support.pdf_text import page_texts, words_on

PACKAGE = read_template_package(PROJECT_ROOT / "contract_templates" / "title-list")
TITLES = 600
TITLE = re.compile(r"Scale Test Journal (\d{4})\b")
HEADER = re.compile(r"^\s*No\.\s+Title\s+ISSN\s+eISSN\s+Subject\s+Price\s*$", re.MULTILINE)


def _context(titles_in_chinese: bool = False) -> dict[str, Any]:
    """A list assembled as the app assembles one: every ninth title has a subject that wraps
    (a taller row), every eleventh an ampersand; on request every fortieth a Chinese name,
    which the grid's DejaVu lacks."""
    titles = []
    for n in range(1, TITLES + 1):
        digits = f"{3000000 + n * 7919:07d}"
        chinese = " 物理学报" if titles_in_chinese and n % 40 == 0 else ""
        titles.append(
            {
                "title": f"Scale Test Journal {n:04d}"
                + (" & Letters" if n % 11 == 0 else "")
                + chinese,
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


@pytest.fixture(scope="module", params=["drawn", "laid out in chunks"])
def pages(request: pytest.FixtureRequest) -> tuple[list[str], list[str]]:
    """The list's pages as text: through the renderer (long lists start at 150 rows here,
    so chunks of 150 rows have joints), and through render_pdf in one piece."""
    context = _context(titles_in_chinese=request.param != "drawn")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(long_grid_pdf, "CHUNK_ROWS", 150)
        chunked = long_grid_pdf.render_long_grid_pdf(PACKAGE.path, PACKAGE.html, context)
    return page_texts(chunked), page_texts(render_pdf(PACKAGE.path, PACKAGE.html, context))


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


def _laid_out(context: dict[str, Any]) -> tuple[Page, list[str]]:
    """The template's second page laid out by WeasyPrint, and the rows of the list."""
    source = (PACKAGE.path / PACKAGE.html).read_text(encoding="utf-8")
    html = render_html(source, context, name=PACKAGE.html)
    document = HTML(
        string=html,
        base_url=PACKAGE.path.resolve().as_uri() + "/",
        url_fetcher=PackageAssetFetcher(PACKAGE.path),
    ).render()
    tbody = html[html.index("<tbody>") : html.index("</tbody>")]
    return document.pages[1], re.findall(r"(?s)<tr\b.*?</tr>", tbody)


def test_the_shipped_grid_is_drawn_and_what_it_cannot_draw_is_left_to_weasyprint() -> None:
    page, rows = _laid_out(_context())
    grid = GridPages.measure(page)
    assert grid is not None
    drawn = grid.pages(rows[100:])
    assert drawn is not None and drawn[0].startswith(b"%PDF") and 400 < drawn[1] < 500

    chinese = rows[100].replace("Scale Test Journal", "物理学报")
    assert grid.pages([chinese, *rows[101:]]) is None
    marked_up = rows[101].replace("Scale Test Journal", "<em>Scale Test Journal</em>")
    assert grid.pages([rows[100], marked_up, *rows[102:]]) is None


def _darkness_by_line(pdf: bytes, page: int) -> list[float]:
    """How dark each pixel row of a page is at 50 dpi: rows, stripes and rules."""
    pgm = subprocess.run(
        ["pdftoppm", "-gray", "-r", "50", "-f", str(page), "-l", str(page), "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout
    magic, width, height, depth, pixels = pgm.split(maxsplit=4)
    assert (magic, depth) == (b"P5", b"255")
    w = int(width)
    return [255 - sum(pixels[y * w : (y + 1) * w]) / w for y in range(int(height))]


def _difference(a: list[float], b: list[float]) -> float:
    return sum(abs(x - y) for x, y in zip(a, b, strict=True)) / len(a)


def test_drawn_pages_look_like_the_pages_weasyprint_lays_out() -> None:
    """Page 6 is drawn (the first pages are laid out with the cover, to measure): each word
    stands where WeasyPrint puts it on its page 6 of the same list (ReportLab does not kern:
    up to a point to the side), and stripes and rules run as WeasyPrint draws them, far
    closer than two neighbouring pages of WeasyPrint's."""
    context = _context()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(long_grid_pdf, "CHUNK_ROWS", 150)
        drawn = long_grid_pdf.render_long_grid_pdf(PACKAGE.path, PACKAGE.html, context)
    whole = render_pdf(PACKAGE.path, PACKAGE.html, context)

    words, expected = words_on(drawn, 6), words_on(whole, 6)
    assert [w for w, _, _ in words] == [w for w, _, _ in expected]
    for (word, x, y), (_, expected_x, expected_y) in zip(words, expected, strict=True):
        assert abs(x - expected_x) <= 1 and abs(y - expected_y) <= 0.1, word

    same_page = _difference(_darkness_by_line(drawn, 6), _darkness_by_line(whole, 6))
    next_page = _difference(_darkness_by_line(whole, 6), _darkness_by_line(whole, 7))
    assert same_page < next_page / 3, (same_page, next_page)


def test_a_first_part_whose_rows_all_fit_on_its_last_page_keeps_that_page() -> None:
    """The first part lays out the cover and a few rows; when those rows all fit on the page
    the grid starts on, that page is kept (it holds the end of the cover too) and the rows
    after it start on a page of their own."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(long_grid_pdf, "HEAD_ROWS", 10)
        pages = page_texts(
            long_grid_pdf.render_long_grid_pdf(PACKAGE.path, PACKAGE.html, _context())
        )
    assert "Scale Test Consortium" in pages[0] and "Scale Test Journal 0010" in pages[0]
    assert "Scale Test Journal 0011" not in pages[0]
    assert TITLE.findall("\n".join(pages)) == [f"{n:04d}" for n in range(1, TITLES + 1)]
