"""A long list's rows drawn straight onto pages, in the geometry WeasyPrint gave them.

WeasyPrint spends about 4 ms on each row of a long table (cascade, table layout, line
breaking, then drawing), most of a 3,000-title list's time. A title list's grid is regular:
text in fixed columns, rows that never split across pages. So WeasyPrint lays out the
first pages from the template as always, every measure of the grid is read off the boxes
of its last full page (columns, padding, fonts, colours, line height, stripes, the rule
under each row, where the page ends), and the rows that follow are drawn in that geometry
with ReportLab, a row at a time, at about a twentieth of the cost.

The grid's opening page (below what precedes the grid) looks like the pages it runs onto,
moved down: `ContinuedGrids` remembers what the pages a grid ran onto measured, by how
its opening page looked, so that the next document whose grid opens looking the same
needs no page beyond its opening page laid out to be measured.

Only what this page shows can be reproduced, so anything else makes `measure` or `pages`
answer None and the list goes the general way: a cell holding markup, a row or cell class
the page did not show, a style beyond text, background and one rule under the row, a row
whose height the lines don't explain, a font that is not TrueType, or a character the
column's font lacks (a Chinese title in a grid set in DejaVu: Pango would fall back to
another font, and so does the list).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import html
import io
import re
import threading
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, fields, is_dataclass, replace
from functools import lru_cache
from typing import Any

from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen.canvas import Canvas
from weasyprint.document import Page
from weasyprint.formatting_structure import boxes

PT = 0.75
"""Points per CSS pixel: WeasyPrint lays out in pixels, PDF pages measure in points."""

_EPSILON = 0.05
"""How far (in px) two measures may differ and still count as the same."""

RGBA = tuple[float, float, float, float]
_ROW = re.compile(
    r'<tr(?: class="(?P<css>[^"<>]*)")?>(?P<cells>(?:\s*<td(?: class="[^"<>]*")?>[^<]*</td>)*)'
    r"\s*</tr>"
)
_CELL = re.compile(r'<td(?: class="([^"<>]*)")?>([^<]*)</td>')


@dataclass(frozen=True)
class Font:
    name: str
    """The font's name as registered with ReportLab."""
    size: float
    color: RGBA
    covers: frozenset[int] = field(repr=False)
    """The code points the font has glyphs for."""


@dataclass(frozen=True)
class Column:
    css_class: str | None
    left: float
    width: float
    align: str
    wraps: bool
    font: Font


@dataclass(frozen=True)
class Label:
    """A text of the header row, where WeasyPrint put it."""

    text: str
    x: float
    baseline: float
    font: Font


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    color: RGBA


@dataclass(frozen=True)
class Row:
    css_class: str | None
    lines: tuple[tuple[str, ...], ...]
    """Each cell's text as the lines it wraps to."""
    height: float


@dataclass(frozen=True)
class GridPages:
    """The geometry of a grid's page, in points from the page's top left corner."""

    size: tuple[float, float]
    header: tuple[list[Rect], list[Label]]
    top: float
    bottom: float
    left: float
    right: float
    columns: list[Column]
    backgrounds: dict[str | None, RGBA | None]
    """A row's background by its class."""
    rule: tuple[float, RGBA] | None
    """The width and colour of the rule under each row."""
    one_line_height: float
    line_height: float
    first_baseline: float
    """From a row's top to its first line's baseline."""

    @classmethod
    def measure(cls, page: Page) -> GridPages | None:
        """The geometry of the grid on a page WeasyPrint laid out, which it ran onto from the
        page before; None if the page holds a grid this class could not reproduce."""
        table = _last_grid(page._page_box)
        if table is None:
            return None
        try:
            return _measure(page, table, opening=False)
        except _Unsupported:
            return None

    @classmethod
    def measure_opening(cls, pages: Sequence[Page]) -> GridPages | None:
        """The grid of the last page as it looked on the page it opened on, below what
        precedes it there, measured as if moved up to the page's top; None if it can't be
        reproduced."""
        last = _last_grid(pages[-1]._page_box) if pages else None
        if last is None:
            return None
        for page in pages:
            table = _last_grid(page._page_box, element=last.element)
            if table is not None:
                try:
                    return _measure(page, table, opening=True)
                except _Unsupported:
                    return None
        return None

    @property
    def rows_per_page(self) -> int:
        """The most rows a page holds: rows of a line each."""
        return int((self.bottom - self.top) / self.one_line_height + _EPSILON)

    def pages(self, rows: Sequence[str]) -> tuple[bytes, int] | None:
        """The pages of whole rows, drawn; all but the last page, which the caller lays out
        with what follows the grid; and how many rows those pages hold. None when a row
        holds what this grid can't draw, or when they fit on one page."""
        parsed = self._parse(rows)
        if parsed is None:
            return None
        pages = list(self._paginate(parsed))
        if len(pages) < 2:
            return None
        out = io.BytesIO()
        font = self.columns[0].font
        # Each page's content starts by choosing the canvas's initial font: a grid font,
        # else every page would name a Helvetica it neither uses nor embeds.
        canvas = Canvas(
            out,
            pagesize=self.size,
            pageCompression=1,
            invariant=1,
            initialFontName=font.name,
            initialFontSize=font.size,
        )
        drawn = 0
        for page in pages[:-1]:
            self._draw_page(canvas, page)
            drawn += len(page)
        canvas.save()
        return out.getvalue(), drawn

    def _parse(self, rows: Sequence[str]) -> list[Row] | None:
        parsed = []
        classes = [column.css_class for column in self.columns]
        for source in rows:
            row = _ROW.fullmatch(source.strip())
            if row is None or row["css"] not in self.backgrounds:
                return None
            cells = _CELL.findall(row["cells"])
            if [css or None for css, _ in cells] != classes:
                return None
            lines = []
            for column, (_, text) in zip(self.columns, cells, strict=True):
                wrapped = self._wrap(column, html.unescape(text).strip())
                if wrapped is None:
                    return None
                lines.append(wrapped)
            height = max(1, *(len(cell) for cell in lines))
            parsed.append(
                Row(
                    row["css"],
                    tuple(lines),
                    self.one_line_height + (height - 1) * self.line_height,
                )
            )
        return parsed

    def _wrap(self, column: Column, text: str) -> tuple[str, ...] | None:
        if not text:
            return ()
        if not set(map(ord, text)) <= column.font.covers:
            return None
        text = " ".join(text.split())
        if not column.wraps:
            return (text,)
        return tuple(simpleSplit(text, column.font.name, column.font.size, column.width))

    def _paginate(self, rows: list[Row]) -> Iterator[list[Row]]:
        """Whole rows to a page, as many as fit: a row taller than a page gets one alone."""
        page: list[Row] = []
        y = self.top
        for row in rows:
            if page and y + row.height > self.bottom + _EPSILON * PT:
                yield page
                page, y = [], self.top
            page.append(row)
            y += row.height
        yield page

    def _draw_page(self, canvas: Canvas, rows: list[Row]) -> None:
        height = self.size[1]
        rects, labels = self.header
        for rect in rects:
            _fill(canvas, rect.color)
            canvas.rect(rect.x, height - rect.y - rect.height, rect.width, rect.height, 0, 1)
        _texts(
            canvas, [(label.font, label.x, height - label.baseline, label.text) for label in labels]
        )
        y = self.top
        for row in rows:
            background = self.backgrounds[row.css_class]
            if background is not None:
                _fill(canvas, background)
                canvas.rect(
                    self.left, height - y - row.height, self.right - self.left, row.height, 0, 1
                )
            _texts(
                canvas,
                [
                    (
                        column.font,
                        _x(column, line),
                        height - (y + self.first_baseline + n * self.line_height),
                        line,
                    )
                    for column, lines in zip(self.columns, row.lines, strict=True)
                    for n, line in enumerate(lines)
                ],
            )
            if self.rule is not None:
                width, color = self.rule
                canvas.setStrokeColorRGB(*color[:3], alpha=color[3])
                canvas.setLineWidth(width)
                rule_y = height - (y + row.height)
                canvas.line(self.left, rule_y, self.right, rule_y)
            y += row.height
        canvas.showPage()


def _x(column: Column, line: str) -> float:
    if column.align == "left":
        return column.left
    width = pdfmetrics.stringWidth(line, column.font.name, column.font.size)
    if column.align == "right":
        return column.left + column.width - width
    return column.left + (column.width - width) / 2


def _fill(canvas: Canvas, color: RGBA) -> None:
    canvas.setFillColorRGB(*color[:3], alpha=color[3])


def _texts(canvas: Canvas, texts: list[tuple[Font, float, float, str]]) -> None:
    """Lines of text (a row's cells, the header's labels) as one text object, choosing a
    font and a colour only where they change: a drawString for each would open a text
    object of its own and set both again, and measure the string it does not need to."""
    if not texts:
        return
    text = canvas.beginText()
    font: tuple[str, float] | None = None
    color: RGBA | None = None
    for face, x, y, line in texts:
        if font != (face.name, face.size):
            font = (face.name, face.size)
            text.setFont(face.name, face.size)
        if color != face.color:
            color = face.color
            text.setFillColorRGB(*color[:3], alpha=color[3])
        text.setTextOrigin(x, y)
        text.textLine(line)
    canvas.drawText(text)


class _Unsupported(Exception):
    """The grid on the page uses something GridPages does not reproduce."""


class ContinuedGrids:
    """The geometries of the pages grids ran onto, by template and by how the page each
    opened on looked (the last few, for every process renders many documents of a few
    templates). Safe to share between threads."""

    def __init__(self, size: int = 16) -> None:
        self._known: deque[tuple[str, GridPages, GridPages]] = deque(maxlen=size)
        self._lock = threading.Lock()

    def remember(self, template: str, opening: GridPages, continued: GridPages) -> None:
        with self._lock:
            if self._find(template, opening) is None:
                self._known.appendleft((template, opening, continued))

    def continued(self, template: str, opening: GridPages) -> GridPages | None:
        """The pages a grid that opened looking like `opening` runs onto, if one did."""
        with self._lock:
            return self._find(template, opening)

    def rows_per_page(self, template: str) -> int | None:
        """The most rows a page the template's grids ran onto holds, if any did."""
        with self._lock:
            known = [grid.rows_per_page for key, _, grid in self._known if key == template]
        return max(known, default=None)

    def __len__(self) -> int:
        return len(self._known)

    def _find(self, template: str, opening: GridPages) -> GridPages | None:
        for key, known, continued in self._known:
            if key == template and _same_look(known, opening, continued.backgrounds):
                return continued
        return None


def _same_look(
    known: GridPages, opening: GridPages, backgrounds: dict[str | None, RGBA | None]
) -> bool:
    """Two opening pages alike in every measure, with the rows of the new one in classes
    whose backgrounds the pages to follow show the same."""
    return all(
        css in backgrounds and _close(color, backgrounds[css])
        for css, color in opening.backgrounds.items()
    ) and _close(replace(known, backgrounds={}), replace(opening, backgrounds={}))


def _close(a: Any, b: Any) -> bool:
    """Equal, but for measures within _EPSILON (floats from different page positions)."""
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= _EPSILON * PT
    if is_dataclass(a) and not isinstance(a, type):
        return type(a) is type(b) and all(
            _close(getattr(a, f.name), getattr(b, f.name)) for f in fields(a)
        )
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(map(_close, a, b))
    return bool(a == b)


def _last_grid(box: boxes.Box, element: Any = None) -> boxes.TableBox | None:
    """The last grid on a page (the long one: what follows it is laid out apart), or the
    one of that element."""
    found = None
    stack = [box]
    while stack:
        box = stack.pop()
        if isinstance(box, boxes.TableBox) and "grid" in (box.element.get("class") or "").split():
            if element is None or box.element is element:
                found = box
            continue
        stack.extend(getattr(box, "children", ()))
    return found


def _measure(page: Page, table: boxes.TableBox, *, opening: bool) -> GridPages:
    if table.style["border_collapse"] != "collapse":
        raise _Unsupported
    groups = table.children
    heads = [group for group in groups if group.is_header]
    bodies = [group for group in groups if not group.is_header]
    if len(heads) != 1 or len(bodies) != 1 or any(group.is_footer for group in groups):
        raise _Unsupported
    (header_row,) = heads[0].children
    rows = bodies[0].children
    # The grid's first row shares no rule with a row above it: it is half a rule shorter.
    alike = rows[1:] if opening else rows
    if len(alike) < (1 if opening else 3):
        raise _Unsupported
    page_box = page._page_box
    if opening:  # measured as if it stood at the page's top
        shift = table.border_box_y() - page_box.content_box_y()
    elif abs(table.position_y - page_box.content_box_y()) > _EPSILON:
        raise _Unsupported  # the grid does not run on from the page before
    else:
        shift = 0.0
    first = alike[0]
    columns = [_column(cell) for cell in first.children]
    line_height, first_baseline = _line_metrics(first)
    one_line_height = first.height - (_lines(first) - 1) * line_height
    backgrounds: dict[str | None, RGBA | None] = {}
    rule = _rule(first.children[0])
    for n, row in enumerate(rows):
        if [_column(cell) for cell in row.children] != columns:
            raise _Unsupported
        lines_height = one_line_height + (_lines(row) - 1) * line_height
        if (n or not opening) and abs(row.height - lines_height) > _EPSILON:
            raise _Unsupported
        if any(_rule(cell) != rule for cell in row.children):
            raise _Unsupported
        css = row.element.get("class")
        background = _rgba(row.style["background_color"])
        # The chunk marks rows with an id to find where its pages break.
        if backgrounds.setdefault(css, background) != background or row.element.attrib.keys() - {
            "class",
            "id",
        }:
            raise _Unsupported
    return GridPages(
        size=(page.width * PT, page.height * PT),
        header=_header(header_row, shift),
        top=(header_row.position_y - shift + header_row.height) * PT,
        bottom=(page_box.content_box_y() + page_box.height) * PT,
        left=first.position_x * PT,
        right=(first.position_x + first.width) * PT,
        columns=columns,
        backgrounds=backgrounds,
        rule=(rule[0] * PT, rule[1]) if rule else None,
        one_line_height=one_line_height * PT,
        line_height=line_height * PT,
        first_baseline=(first_baseline - first.position_y) * PT,
    )


def _column(cell: boxes.TableCellBox) -> Column:
    style = cell.style
    if (
        cell.colspan != 1
        or cell.rowspan != 1
        or _rgba(style["background_color"]) is not None
        or cell.element.attrib.keys() - {"class"}
        or any(style[f"border_{side}_width"] for side in ("top", "left", "right"))
        or style["text_transform"] != "none"
        or style["letter_spacing"] != "normal"
        or style["word_spacing"] != 0
        or style["text_decoration_line"] != "none"
        or style["text_indent"].value != 0
        or style["vertical_align"] != "top"
        or style["white_space"] not in ("normal", "nowrap")
        or style["text_align_all"] not in ("left", "start", "right", "end", "center")
        or style["direction"] != "ltr"
        or any(
            not isinstance(line, boxes.LineBox)
            or not all(isinstance(text, boxes.TextBox) for text in line.children)
            for line in cell.children
        )
    ):
        raise _Unsupported
    align = {"start": "left", "end": "right"}.get(style["text_align_all"], style["text_align_all"])
    return Column(
        css_class=cell.element.get("class"),
        left=cell.content_box_x() * PT,
        width=cell.width * PT,
        align=align,
        wraps=style["white_space"] == "normal",
        font=_font(style),
    )


def _lines(row: boxes.TableRowBox) -> int:
    return max(1, *(len(cell.children) for cell in row.children))


def _line_metrics(row: boxes.TableRowBox) -> tuple[float, float]:
    """A line's height and the first baseline's page position, from a cell with text."""
    for cell in row.children:
        if cell.children and cell.children[0].children:
            line = cell.children[0]
            text = line.children[0]
            return line.height, text.position_y + text.baseline
    raise _Unsupported


def _rule(cell: boxes.TableCellBox) -> tuple[float, RGBA] | None:
    width = cell.style["border_bottom_width"]
    color = _rgba(cell.style["border_bottom_color"])
    if not width or cell.style["border_bottom_style"] == "none" or color is None:
        return None
    if cell.style["border_bottom_style"] != "solid":
        raise _Unsupported
    return width, color


def _header(row: boxes.TableRowBox, shift: float) -> tuple[list[Rect], list[Label]]:
    """The header row as WeasyPrint drew it, `shift` up the page: each cell's background
    and its texts where they stand; the row is the same on every page."""
    rects, labels = [], []
    for cell in row.children:
        background = _rgba(cell.style["background_color"]) or _rgba(row.style["background_color"])
        if background is not None:
            rects.append(
                Rect(
                    cell.border_box_x() * PT,
                    (cell.border_box_y() - shift) * PT,
                    cell.border_width() * PT,
                    row.height * PT,
                    background,
                )
            )
        for line in cell.children:
            for text in getattr(line, "children", ()):
                if not isinstance(text, boxes.TextBox):
                    raise _Unsupported
                font = _font(text.style)
                if not set(map(ord, text.text)) <= font.covers:
                    raise _Unsupported
                labels.append(
                    Label(
                        text.text,
                        text.position_x * PT,
                        (text.position_y - shift + text.baseline) * PT,
                        font,
                    )
                )
    return rects, labels


def _rgba(color: Any) -> RGBA | None:
    """A computed CSS colour as sRGB components and alpha; None when fully transparent."""
    srgb = color.to("srgb")
    if srgb.alpha == 0:
        return None
    red, green, blue = (min(1.0, max(0.0, c or 0.0)) for c in srgb.coordinates)
    return red, green, blue, srgb.alpha


def _font(style: Any) -> Font:
    if style["font_variant_caps"] != "normal" or style["font_stretch"] != "normal":
        raise _Unsupported
    name, covers = _truetype(
        tuple(style["font_family"]), int(style["font_weight"]), style["font_style"] != "normal"
    )
    color = _rgba(style["color"])
    if color is None:
        raise _Unsupported
    return Font(name, style["font_size"] * PT, color, covers)


@lru_cache(maxsize=32)
def _truetype(families: tuple[str, ...], weight: int, italic: bool) -> tuple[str, frozenset[int]]:
    """The first of the families fontconfig has, registered with ReportLab, and the code
    points it covers (Pango finds its fonts through fontconfig as well)."""
    for family in families:
        pattern = f"{family}:weight={'bold' if weight >= 600 else 'regular'}"
        pattern += ":slant=italic" if italic else ":slant=roman"
        matched = _fontconfig_match(pattern)
        if matched is None or family not in matched[1]:
            continue
        name = f"grid:{matched[0]}"
        try:
            font = TTFont(name, matched[0])
        except TTFError:
            raise _Unsupported from None
        pdfmetrics.registerFont(font)
        return name, frozenset(font.face.charToGlyph)
    raise _Unsupported


def _fontconfig_match(pattern: str) -> tuple[str, list[str]] | None:
    """The file and the family names of the font fontconfig matches to a pattern, asked
    of libfontconfig in this process (WeasyPrint has it loaded already): a child process
    would briefly share the renderer's pages."""
    library = ctypes.util.find_library("fontconfig")
    if library is None:
        return None
    fc = ctypes.CDLL(library)
    fc.FcNameParse.restype = ctypes.c_void_p
    fc.FcNameParse.argtypes = [ctypes.c_char_p]
    fc.FcConfigSubstitute.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int]
    fc.FcDefaultSubstitute.argtypes = [ctypes.c_void_p]
    fc.FcFontMatch.restype = ctypes.c_void_p
    fc.FcFontMatch.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.POINTER(ctypes.c_int)]
    fc.FcPatternGetString.argtypes = [
        ctypes.c_void_p,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.POINTER(ctypes.c_char_p),
    ]
    fc.FcPatternDestroy.argtypes = [ctypes.c_void_p]

    def strings(match: int, key: bytes) -> list[str]:
        found: list[str] = []
        value = ctypes.c_char_p()
        while fc.FcPatternGetString(match, key, len(found), ctypes.byref(value)) == 0:
            found.append((value.value or b"").decode())
        return found

    query = fc.FcNameParse(pattern.encode())
    if not query:
        return None
    try:
        fc.FcConfigSubstitute(None, query, 0)
        fc.FcDefaultSubstitute(query)
        match = fc.FcFontMatch(None, query, ctypes.byref(ctypes.c_int()))
    finally:
        fc.FcPatternDestroy(query)
    if not match:
        return None
    try:
        files = strings(match, b"file")
        return (files[0], strings(match, b"family")) if files else None
    finally:
        fc.FcPatternDestroy(match)
