"""A long title list through its PDF renderer reads like one long table: every title once
and in order, the header row on every page, "Page N of M" running on, and the pages
breaking where WeasyPrint breaks the same list laid out in one piece. Both ways are held
to it: rows drawn straight onto pages in the grid's measured geometry, and (for a list the
grid's font can't set) rows laid out by WeasyPrint a chunk at a time; drawn pages are also
compared with WeasyPrint's, pixel by pixel."""

from __future__ import annotations

import re
import subprocess
from dataclasses import replace
from functools import lru_cache
from typing import Any

import pytest
from stdnum import issn
from weasyprint import HTML
from weasyprint.document import Page

from app.rendering import long_grid_pdf
from app.rendering.grid_pages import ContinuedGrids, GridPages
from app.rendering.pdf import PackageAssetFetcher, render_html, render_pdf
from tests.support.pdf_text import page_texts, words_on
from tests.support.title_lists import title_list_context, title_list_package

PACKAGE = title_list_package()
TITLES = 600
TITLE = re.compile(r"Scale Test Journal (\d{4})\b")
HEADER = re.compile(r"^\s*No\.\s+Title\s+ISSN\s+eISSN\s+Subject\s+Price\s*$", re.MULTILINE)


@lru_cache
def _context(titles_in_chinese: bool = False, language: str = "en") -> dict[str, Any]:
    """Every ninth title has a subject that wraps (a taller row), every eleventh an
    ampersand; on request every fortieth a Chinese name, which the grid's DejaVu lacks."""
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
    return title_list_context(
        titles, customer="Scale Test Consortium", number="T-2027-000042", language=language
    )


@lru_cache
def _whole(titles_in_chinese: bool = False, language: str = "en") -> bytes:
    """The list laid out by WeasyPrint in one piece."""
    return render_pdf(PACKAGE.path, PACKAGE.html, _context(titles_in_chinese, language))


def _render(context: dict[str, Any], memory: ContinuedGrids, times: int = 1) -> bytes:
    """Through the renderer, with long lists starting at 150 rows (so chunks of 150 rows
    have joints) and what it remembers of grids in `memory`."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(long_grid_pdf, "CHUNK_ROWS", 150)
        patch.setattr(long_grid_pdf, "CONTINUED", memory)
        for _ in range(times):
            pdf = long_grid_pdf.render_long_grid_pdf(PACKAGE.path, PACKAGE.html, context)
    return pdf


@pytest.fixture(
    scope="module", params=["drawn, measured", "drawn, as remembered", "laid out in chunks"]
)
def pages(request: pytest.FixtureRequest) -> tuple[list[str], list[str]]:
    """The list's pages as text: through the renderer, and through render_pdf in one piece.
    Drawn either in the geometry measured on the first part's last page, or (rendered
    a second time) in the one remembered from the first, with only the page the grid opens
    on laid out before."""
    chinese = request.param == "laid out in chunks"
    times = 2 if request.param == "drawn, as remembered" else 1
    chunked = _render(_context(chinese), ContinuedGrids(), times)
    return page_texts(chunked), page_texts(_whole(chinese))


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
    assert "About this list" in "".join(chunked[-2:])  # the notes may run onto a last page


def _laid_out(context: dict[str, Any]) -> tuple[Page, list[str]]:
    """The template's second page laid out by WeasyPrint (with the list's first 100 rows),
    and the rows of the list."""
    source = (PACKAGE.path / PACKAGE.html).read_text(encoding="utf-8")
    html = render_html(source, context, name=PACKAGE.html)
    start, end = html.index("<tbody>") + len("<tbody>"), html.index("</tbody>")
    rows = re.findall(r"(?s)<tr\b.*?</tr>", html[start:end])
    document = HTML(
        string=html[:start] + "".join(rows[:100]) + html[end:],
        base_url=PACKAGE.path.resolve().as_uri() + "/",
        url_fetcher=PackageAssetFetcher(PACKAGE.path),
    ).render()
    return document.pages[1], rows


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


@pytest.mark.parametrize(("times", "page"), [(1, 6), (2, 2)], ids=["measured", "remembered"])
def test_drawn_pages_look_like_the_pages_weasyprint_lays_out(times: int, page: int) -> None:
    """A drawn page (page 6 when the first part laid out more pages to measure on; page 2,
    the first the grid runs onto, when its geometry is remembered from the render before):
    each word stands where WeasyPrint puts it on that page of the same list (ReportLab does
    not kern: up to a point to the side), and stripes and rules run as WeasyPrint draws
    them, far closer than two neighbouring pages of WeasyPrint's."""
    drawn, whole = _render(_context(), ContinuedGrids(), times), _whole()

    words, expected = words_on(drawn, page), words_on(whole, page)
    assert [w for w, _, _ in words] == [w for w, _, _ in expected]
    for (word, x, y), (_, expected_x, expected_y) in zip(words, expected, strict=True):
        assert abs(x - expected_x) <= 1 and abs(y - expected_y) <= 0.1, word

    same_page = _difference(_darkness_by_line(drawn, page), _darkness_by_line(whole, page))
    next_page = _difference(_darkness_by_line(whole, page), _darkness_by_line(whole, page + 1))
    assert same_page < next_page / 3, (same_page, next_page)


_FONT = re.compile(r"^\S+\s+(?P<type>.+?)\s{2,}\S+\s+(?P<embedded>yes|no)\s", re.MULTILINE)


def _fonts(pdf: bytes, page: int | None = None) -> list[tuple[str, str]]:
    """The type of each font a page (or the whole PDF) names, and whether it is embedded."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    listing = subprocess.run(
        ["pdffonts", *pages, "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return [(font["type"], font["embedded"]) for font in _FONT.finditer(listing)]


def test_drawn_pages_embed_every_font_they_name() -> None:
    """Remembered, the grid is drawn from page 2 on (the grid writer's plain TrueType
    subsets, where WeasyPrint's are CID fonts); and every font named is embedded."""
    pdf = _render(_context(), ContinuedGrids(), times=2)
    assert ("TrueType", "yes") in _fonts(pdf, 2)
    assert ("TrueType", "yes") not in _fonts(_whole(), 2)
    assert {embedded for _, embedded in _fonts(pdf)} == {"yes"}


def test_a_grid_that_opens_unlike_those_remembered_is_measured_anew() -> None:
    """The same list in Dutch opens with other column headings than the English one
    remembered: its pages are measured for themselves and break as in one piece."""
    memory = ContinuedGrids()
    _render(_context(), memory)
    dutch = page_texts(_render(_context(language="nl"), memory))

    assert _first_titles(dutch) == _first_titles(page_texts(_whole(language="nl")))
    assert TITLE.findall("\n".join(dutch)) == [f"{n:04d}" for n in range(1, TITLES + 1)]
    assert len(memory) == 2


def test_a_first_part_shorter_than_its_opening_page_is_laid_out_again() -> None:
    """A page remembered to hold only a few rows makes a first part too short to fill the
    page the grid opens on: it is laid out again, with as many rows there as in one piece."""
    continued = GridPages.measure(_laid_out(_context())[0])
    assert continued is not None
    tall_rows = replace(continued, one_line_height=continued.one_line_height * 10)
    memory = ContinuedGrids()
    template = str(PACKAGE.path.resolve() / PACKAGE.html)
    memory.remember(template, replace(tall_rows, top=0.0), tall_rows)
    assert memory.rows_per_page(template) < 10

    pages = page_texts(_render(_context(), memory))
    assert _first_titles(pages) == _first_titles(page_texts(_whole()))


def test_a_first_part_whose_rows_all_fit_on_its_last_page_keeps_that_page() -> None:
    """The first part lays out the cover and a few rows; when those rows all fit on the page
    the grid starts on, that page is kept (it holds the end of the cover too) and the rows
    after it start on a page of their own."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(long_grid_pdf, "HEAD_ROWS", 10)
        pages = page_texts(_render(_context(), ContinuedGrids()))
    assert "Scale Test Consortium" in pages[0] and "Scale Test Journal 0010" in pages[0]
    assert "Scale Test Journal 0011" not in pages[0]
    assert TITLE.findall("\n".join(pages)) == [f"{n:04d}" for n in range(1, TITLES + 1)]
