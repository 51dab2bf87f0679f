"""Documents with a long grid (a title list, a licence's schedule of titles) as PDF:
thousands of rows in bounded memory and a few seconds, with pages as full as in one long
table.

WeasyPrint lays a document out in one piece, so its memory grows with the rows, and it
spends about 4 ms on each row: 3,000 titles take 520 MB and 14 s here. So a document whose
longest `<table class="grid">` holds more than HEAD_ROWS rows is made in parts:
- what comes before the grid and its first rows are laid out by WeasyPrint, as always;
- the rows that follow are drawn straight onto pages in the geometry of the grid on the
  last full page of that first part (grid_pages), at a twentieth of the cost (that page
  is laid out only until a document of the template has opened its grid looking the
  same: CONTINUED remembers the pages it ran onto); where the grid holds what can't be
  drawn that way (a Chinese title in a list set in DejaVu, say), they are laid out by
  WeasyPrint a chunk at a time instead, inside the elements the grid sits in;
- the rows of the last page and what follows the grid are laid out by WeasyPrint again.
Each part after the first starts at the first row of the previous part's last page, whose
rows are laid out again, so every page breaks where it would in one long table. The parts
are made without running header and footer; those ("Page N of M" needs M) come from one
more document of M empty pages with the template's own @page rules, drawn over the
joined pages: running strings must be set before the grid.

A template meets this by keeping one <tr> per row in the <tbody> of its grid, with fixed
column widths (each part would otherwise size its columns by its own rows) and stripes by
class rather than :nth-child (each part counts its rows from one).
"""

from __future__ import annotations

import gc
import io
import re
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from pypdf import PdfReader, PdfWriter
from weasyprint import CSS, HTML
from weasyprint.document import Document, Page

from app.errors import InvalidInput
from app.rendering.grid_pages import ContinuedGrids, GridPages
from app.rendering.joined_pdf import joined_archival_pdf
from app.rendering.page_marks import WATERMARK, PageMarks, with_marks
from app.rendering.pdf import (
    Archival,
    PackageAssetFetcher,
    collector_paused,
    fonts_for,
    lay_out,
    pdf_from_html,
    render_html,
    write_archival,
)

CHUNK_ROWS = 500
"""Rows laid out at a time, about 80 MB: each chunk lays the rows of one page out again."""

HEAD_ROWS = 120
"""Rows laid out with the cover: commonly a full page after the first, to measure; fewer
rows than this are laid out in one piece."""

CONTINUED = ContinuedGrids()
"""The pages grids ran onto, measured in this process."""

_MARKED_ROWS = 80
"""The rows that could be on a chunk's last page (more than a page holds) carry an id, to
find the row the page starts with; not every row, as an id costs a row its shared style."""

_ROW_ID = "long-grid-row-"

_BODY = re.compile(r"(?s)(?P<head>.*?<body[^>]*>)(?P<body>.*)(?P<end></body>.*)")
# A grid's table up to its rows, the rows, and its end; no table ends inside the first part.
_GRID = re.compile(
    r'(?s)(?P<grid><table class="grid[ "](?:(?!</table>).)*?<tbody>)'
    r"(?P<rows>(?:(?!</tbody>).)*)(?P<grid_end></tbody>\s*</table>)"
)
_ROW = re.compile(r"(?s)<tr\b.*?</tr>")
_VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    ]
)

_MARGIN_BOXES = (
    "top-left-corner", "top-left", "top-center", "top-right", "top-right-corner",
    "right-top", "right-middle", "right-bottom", "bottom-right-corner", "bottom-right",
    "bottom-center", "bottom-left", "bottom-left-corner", "left-bottom", "left-middle", "left-top",
)  # fmt: skip
_WITHOUT_FURNITURE = (
    "@page {"
    + "".join(f" @{box} {{ content: none !important; }}" for box in _MARGIN_BOXES)
    + f" }} {WATERMARK} {{ content: none !important; }}"
)
# The page furniture alone: empty pages that set the running strings the laid-out pages set.
_FURNITURE_ONLY = ".long-grid-page + .long-grid-page { break-before: page; }"


def render_long_grid_pdf(
    package_dir: Path,
    html_file: str,
    context: dict[str, Any],
    marks: PageMarks | None = None,
    archival: Archival | None = None,
) -> bytes:
    """The document's PDF, as render_pdf would make it from the same template: a PDF/A-3b
    whose document-level parts (XMP metadata, output intent, language, the contract's data
    and the information dictionary) come from the furniture document, the one part laid
    out from the whole template head (the page marks' watermark, like the margin boxes, is
    drawn with the furniture)."""
    source = (package_dir / html_file).read_text(encoding="utf-8")
    html = with_marks(render_html(source, context, name=html_file), marks)
    parts = _parts(html)
    if parts is None:
        return pdf_from_html(package_dir, html_file, html, archival)
    rows = _ROW.findall(parts["rows"])
    base_url = package_dir.resolve().as_uri() + "/"
    fetcher = PackageAssetFetcher(package_dir)
    writer = PdfWriter()
    template = str(package_dir.resolve() / html_file)
    with collector_paused():
        pdfs, strings = _render_pages(parts, rows, template, base_url, fetcher)
        gc.collect(1)
        for pdf in pdfs:
            writer.append(PdfReader(io.BytesIO(pdf)))
        furniture_pdf = _furniture(parts, len(writer.pages), strings, base_url, fetcher, archival)
        if fetcher.refused:
            raise InvalidInput(
                f"template {html_file} refers to {', '.join(sorted(set(fetcher.refused)))}; "
                "a template may use only the files in its own package"
            )
        return joined_archival_pdf(writer, pdfs, furniture_pdf)


def _parts(html: str) -> dict[str, str] | None:
    """The rendered template cut around the rows of its longest grid, when that grid is
    long enough to be worth the parts: what comes before (`cover`), after (`notes`), and
    the start tags of the elements the grid sits in (`reopen`), for the parts that start
    with rows; None for a document laid out in one piece."""
    document = _BODY.fullmatch(html)
    if document is None:
        return None
    grids = list(_GRID.finditer(document["body"]))
    if not grids:
        return None
    longest = max(grids, key=lambda grid: grid["rows"].count("<tr"))
    if longest["rows"].count("<tr") <= HEAD_ROWS:
        return None
    body = document["body"]
    cover = body[: longest.start()]
    return {
        "head": document["head"],
        "cover": cover,
        "reopen": "".join(_open_elements(cover)),
        "grid": longest["grid"],
        "rows": longest["rows"],
        "grid_end": longest["grid_end"],
        "notes": body[longest.end() :],
        "end": document["end"],
    }


class _OpenElements(HTMLParser):
    """The start tags of the elements still open at the end of what it was fed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.open: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _VOID:
            self.open.append((tag, self.get_starttag_text() or f"<{tag}>"))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.open) - 1, -1, -1):
            if self.open[depth][0] == tag:
                del self.open[depth:]
                return


def _open_elements(html: str) -> list[str]:
    parser = _OpenElements()
    parser.feed(html)
    return [start for _, start in parser.open]


def _render_pages(
    parts: dict[str, str],
    rows: list[str],
    template: str,
    base_url: str,
    fetcher: PackageAssetFetcher,
) -> tuple[list[bytes], list[list[tuple[str, str]]]]:
    """The document's pages as PDFs without page furniture: the cover and the first rows laid
    out by WeasyPrint; the rows that follow drawn in the geometry of the pages the grid runs
    onto where the grid allows (see grid_pages), else laid out a chunk at a time; the last
    page's rows and what follows the grid laid out by WeasyPrint again. And the running
    strings each page of the first part sets.

    The first part ends with the grid's opening page when the pages the grid runs onto are
    remembered (see _first_parts); otherwise with the page they are measured on. Called with
    the garbage collector paused (see collector_paused)."""
    pdfs: list[bytes] = []
    first, start, grid = _first_parts(parts, rows, template, base_url, fetcher)
    strings = [_strings(page) for page in first[0].pages]
    pdfs.extend(_write(document) for document in first)
    del first
    drawn = grid.pages(rows[start:]) if grid is not None else None
    if drawn is not None:
        pdfs.append(drawn[0])
        start += drawn[1]
    while start < len(rows):
        gc.collect(1)
        chunk, start = _lay_out_chunk(parts, rows, start, CHUNK_ROWS, base_url, fetcher)
        pdfs.append(_write(chunk))
        del chunk
    return pdfs, strings


def _first_parts(
    parts: dict[str, str],
    rows: list[str],
    template: str,
    base_url: str,
    fetcher: PackageAssetFetcher,
) -> tuple[list[Document], int, GridPages | None]:
    """The cover and the grid's first rows laid out; the row the next part starts with; and
    the geometry of the pages the grid runs onto, None if it can't be drawn.

    That geometry is measured on the last page laid out, or remembered from a grid of the
    template that opened looking the same: then only the opening page needs laying out.
    A grid unlike those remembered gets one more part, to be measured on its last page."""
    known = CONTINUED.rows_per_page(template)
    size = HEAD_ROWS if known is None else known + 1
    head, start = _lay_out_chunk(parts, rows, 0, size, base_url, fetcher)
    if start == size < min(HEAD_ROWS, len(rows)):
        # All its rows fit on the opening page, which may hold more: as many as in one piece.
        head, start = _lay_out_chunk(parts, rows, 0, HEAD_ROWS, base_url, fetcher)
    laid_out = [head]
    opening = GridPages.measure_opening(head.pages)
    grid = GridPages.measure(head.pages[-1]) if len(head.pages) > 1 else None
    if grid is None and opening is not None:
        grid = CONTINUED.continued(template, opening)
        if grid is None and start < len(rows):
            chunk, start = _lay_out_chunk(parts, rows, start, HEAD_ROWS, base_url, fetcher)
            laid_out.append(chunk)
            grid = GridPages.measure(chunk.pages[-1])
    if grid is not None and opening is not None:
        CONTINUED.remember(template, opening, grid)
    return laid_out, start, grid


def _strings(page: Page) -> list[tuple[str, str]]:
    """The running strings (CSS string-set) a laid-out page sets, in document order."""
    found: list[tuple[str, str]] = []
    boxes = [page._page_box]
    while boxes:
        box = boxes.pop()
        string_set = getattr(box, "string_set", None)
        if string_set and string_set != "none":
            found.extend((str(name), str(text)) for name, text in string_set)
        boxes.extend(reversed(getattr(box, "children", ())))
    return found


def _lay_out_chunk(
    parts: dict[str, str],
    rows: list[str],
    start: int,
    size: int,
    base_url: str,
    fetcher: PackageAssetFetcher,
) -> tuple[Document, int]:
    """The pages of up to `size` rows from start on, but the last page unless it ends the
    list; and the row the next chunk starts with. When all the chunk's rows fit on its last
    page, that page stays and the next chunk starts on a page of its own."""
    end = min(start + size, len(rows))
    fonts = fonts_for(fetcher.root)
    document = lay_out(
        HTML(string=_chunk_html(parts, rows, start, end), base_url=base_url, url_fetcher=fetcher),
        stylesheets=[CSS(string=_WITHOUT_FURNITURE, font_config=fonts)],
        font_config=fonts,
    )
    if end < len(rows) and (first := _first_row(document.pages[-1])) > start:
        end = first
        del document.pages[-1]
    for page in document.pages:
        page.anchors = {k: v for k, v in page.anchors.items() if not k.startswith(_ROW_ID)}
    return document, end


def _write(document: Document) -> bytes:
    """A part as PDF/A too: its annotations printable, its colours in the output intent."""
    return write_archival(document)


def _chunk_html(parts: dict[str, str], rows: list[str], start: int, end: int) -> str:
    """Rows start to end in the grid; the cover goes with the first, the notes with the
    last, and the rows near the end are marked."""
    marked = [
        row.replace("<tr", f'<tr id="{_ROW_ID}{n}"', 1) if n >= end - _MARKED_ROWS else row
        for n, row in enumerate(rows[start:end], start)
    ]
    cover = parts["cover"] if start == 0 else parts["reopen"]
    notes = parts["notes"] if end == len(rows) else ""
    return "".join(
        [parts["head"], cover, parts["grid"], *marked, parts["grid_end"], notes, parts["end"]]
    )


def _css_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ")
    return f'"{escaped}"'


def _first_row(page: Page) -> int:
    marked = [int(name[len(_ROW_ID) :]) for name in page.anchors if name.startswith(_ROW_ID)]
    if len(marked) == _MARKED_ROWS:
        raise InvalidInput(f"the template puts over {_MARKED_ROWS} rows of its grid on a page")
    return min(marked)


def _furniture(
    parts: dict[str, str],
    pages: int,
    strings: list[list[tuple[str, str]]],
    base_url: str,
    fetcher: PackageAssetFetcher,
    archival: Archival | None,
) -> bytes:
    """The template's running header and footer on `pages` empty pages, each setting the
    running strings its laid-out page set (the parts after the first set none): laying
    the cover out again for its strings cost as much as the cover."""
    empty = []
    for number in range(pages):
        sets = strings[number] if number < len(strings) else []
        marks = "".join(
            f'<div style="{escape(f"string-set: {name} {_css_string(text)}")}"></div>'
            for name, text in sets
        )
        empty.append(f'<div class="long-grid-page">{marks}</div>')
    html = "".join([parts["head"], *empty, parts["end"]])
    fonts = fonts_for(fetcher.root)
    document = lay_out(
        HTML(string=html, base_url=base_url, url_fetcher=fetcher),
        stylesheets=[CSS(string=_FURNITURE_ONLY, font_config=fonts)],
        font_config=fonts,
    )
    return write_archival(document, archival)
