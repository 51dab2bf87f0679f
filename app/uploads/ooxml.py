"""Office files (XLSX workbooks, DOCX documents) checked before openpyxl or docxtpl opens
them: the zip's directory first (`zips.scan_zip`), then every XML part as a stream for a
DTD, and in a workbook the shared strings (count and characters, which openpyxl loads
whole before the first row) and each worksheet's rows, columns and cell lengths."""

from __future__ import annotations

import io
import itertools
import zipfile
from collections.abc import Callable

from app.errors import InvalidInput
from app.uploads.limits import Limit, UploadLimits, UploadOverLimit
from app.uploads.xml_scan import CHUNK, Scan, Stop, chunks, scan_xml
from app.uploads.zips import scan_zip, unpacking

_XML_PARTS = (".xml", ".rels", ".vml")
_DIGITS = "0123456789"


def prescan_xlsx(data: bytes, limits: UploadLimits, *, rows: Limit, what: str) -> None:
    """Refuse a workbook over any bound before openpyxl reads it; `rows` bounds every
    worksheet's rows (blank rows included, the header too)."""
    _scan_parts(data, limits, what, lambda: _WorkbookPart(limits, rows))


def prescan_docx(data: bytes, limits: UploadLimits, *, what: str) -> None:
    """Refuse a DOCX over the zip bounds, or with a DTD in any XML part."""
    _scan_parts(data, limits, what, Scan)


def _scan_parts(data: bytes, limits: UploadLimits, what: str, scan: Callable[[], Scan]) -> None:
    entries = scan_zip(data, limits, what=what)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise InvalidInput(f"{what} is not a zip archive") from exc
    with archive:
        for entry in entries:
            if entry.name.endswith("/"):
                continue
            with unpacking(what, entry.name), archive.open(entry.name) as part:
                first = part.read(CHUNK)
                if entry.name.lower().endswith(_XML_PARTS) or _looks_like_xml(first):
                    parts = itertools.chain([first], chunks(part))
                    scan_xml(parts, scan(), what=f"{what}: {entry.name}")


def _looks_like_xml(start: bytes) -> bool:
    """A part is found by the relationships that name it, not by its name's ending: any
    part that may be XML is scanned (images and other binary parts are not)."""
    text = start.removeprefix(b"\xef\xbb\xbf").lstrip()
    return text.startswith(b"<") or start.startswith((b"\xff\xfe", b"\xfe\xff"))


class _WorkbookPart(Scan):
    """By its root: the shared strings are counted, a worksheet's rows, columns and cells
    bounded; any other part is left after its root element. Elements count in the root's
    namespace, as openpyxl reads them; the handlers are chosen once the root is known,
    since they run for every element."""

    def __init__(self, limits: UploadLimits, rows: Limit) -> None:
        self.limits, self.rows = limits, rows
        self.strings = self.chars = 0
        self.row = self.column = self.cell_chars = 0
        self.columns: dict[str, int] = {}

    def start(self, name: str, attributes: dict[str, str]) -> None:
        namespace, _, local = name.rpartition(" ")
        prefix = f"{namespace} " if namespace else ""
        if local == "sst":
            self._declared_strings(attributes)
            self.si = prefix + "si"
            self.parser.StartElementHandler = self._string
            self.parser.CharacterDataHandler = self._string_text
        elif local == "worksheet":
            self.cell, self.row_name = prefix + "c", prefix + "row"
            self.parser.StartElementHandler = self._sheet_start
            self.parser.CharacterDataHandler = self._cell_text
        else:
            raise Stop

    def _string(self, name: str, _attributes: dict[str, str]) -> None:
        if name == self.si:
            self.strings += 1
            if self.strings > self.limits.shared_strings:
                raise self._too_many_strings(f"more than {self.limits.shared_strings:,}")

    def _string_text(self, data: str) -> None:
        self.chars += len(data)
        if self.chars > self.limits.shared_string_chars:
            raise self.limits.over(
                "shared_string_chars",
                f"the workbook's texts hold more than {self.limits.shared_string_chars:,} "
                "characters",
            )

    def _sheet_start(self, name: str, attributes: dict[str, str]) -> None:
        if name == self.cell:
            self._cell(attributes.get("r"))
        elif name == self.row_name:
            self._row(attributes.get("r"))

    def _cell_text(self, data: str) -> None:
        """All text from a cell's start to the next cell's: its value, formula or inline
        string. Only start tags pass text on (expat buffers it across end tags), so white
        space between elements reaches here joined to a value: it is not counted."""
        self.cell_chars += len(data.strip())
        if self.cell_chars > self.limits.field_chars:
            raise self.limits.over(
                "field_chars",
                f"cell {_column_name(self.column)}{self.row} holds more than "
                f"{self.limits.field_chars:,} characters",
            )

    def _declared_strings(self, attributes: dict[str, str]) -> None:
        declared = attributes.get("uniqueCount", "")
        if declared.isdigit() and int(declared) > self.limits.shared_strings:
            raise self._too_many_strings(f"{int(declared):,}")

    def _too_many_strings(self, count: str) -> UploadOverLimit:
        return self.limits.over(
            "shared_strings",
            f"the workbook holds {count} distinct texts (shared strings); at most "
            f"{self.limits.shared_strings:,} are allowed",
        )

    def _row(self, reference: str | None) -> None:
        self.row = int(reference) if reference and reference.isdigit() else self.row + 1
        self.column = self.cell_chars = 0
        if self.row > self.rows.value + 1:
            raise UploadOverLimit(
                f"the worksheet has more than {self.rows.value:,} rows below its header "
                "(blank rows included); split it into smaller lists",
                limit=self.rows,
            )

    def _cell(self, reference: str | None) -> None:
        letters = reference.rstrip(_DIGITS) if reference else ""
        if not letters:
            self.column += 1
        elif (column := self.columns.get(letters)) is not None:
            self.column = column
        else:
            self.column = self.columns[letters] = _column_number(letters)
        self.cell_chars = 0
        if self.column > self.limits.columns:
            raise self.limits.over(
                "columns",
                f"the worksheet has a cell in column {_column_name(self.column)} (row "
                f"{self.row:,}); at most {self.limits.columns:,} columns are allowed",
            )


def _column_number(letters: str) -> int:
    """A cell reference's letters as a column number; a reference that is not letters
    (a damaged file) counts as beyond every column."""
    if len(letters) > 3 or not letters.isascii() or not letters.isalpha():
        return 1 << 20
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def _column_name(number: int) -> str:
    name = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        name = chr(65 + rest) + name
    return name
