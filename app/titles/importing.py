"""Title lists uploaded as KBART, CSV or XLSX, read into `TitleIn` rows.

Uploads are hostile: the size is checked before parsing, an XLSX is checked as a stream
against every bound of `app.uploads.limits` before openpyxl opens it (`prescan_xlsx`), and
rows are read one at a time so that reading stops as soon as there are too many. Nothing
is imported when any row is bad (unless the good rows are asked for): every problem is
reported at once, by spreadsheet row or line (the header is 1), column and value, for the
user to fix the file.
"""

from __future__ import annotations

import io
from collections.abc import Generator, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import PurePath
from typing import Any

import openpyxl

from app.assembly.schemas import TitleIn
from app.errors import InvalidInput
from app.titles.columns import read_header
from app.titles.rows import RowProblem, TitleMerger, parse_rows
from app.uploads.delimited import UnreadableText, read_records
from app.uploads.limits import DEFAULT_LIMITS, Limit, UploadLimits
from app.uploads.ooxml import prescan_xlsx
from app.uploads.zips import NotAZip

MAX_ROWS = 20_000
MAX_BYTES = 20_000_000
ROWS_SETTING = "CONTRACTDESK_TITLE_LIST_DOCUMENT_ROWS"
# Columns looked at in an XLSX header: a cell far to the right would otherwise make every
# row as wide as the sheet.
MAX_COLUMNS = 100

MAX_PROBLEMS = 10_000
"""A file with more bad rows than this is refused without reading on."""
_DELIMITERS = (",", ";", "\t")
_CSV_SUFFIXES = frozenset({".csv", ".tsv", ".txt"})
_XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls

Cells = list[str | None]


class TitleImportError(Exception):
    """The upload was refused; `problems` lists every reason found, nothing was imported."""

    def __init__(self, problems: list[RowProblem], message: str | None = None) -> None:
        self.problems = problems
        if message is None:
            message = (
                problems[0].reason
                if len(problems) == 1
                else f"the title list has {len(problems)} problems; nothing was imported"
            )
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class TitleImport:
    """The titles read, as stored, and the rows left out (only when asked to keep the good
    rows)."""

    rows: list[dict[str, Any]]
    skipped: list[RowProblem]

    @property
    def titles(self) -> list[TitleIn]:
        return [TitleIn.model_validate(row) for row in self.rows]


def read_titles(
    data: bytes,
    *,
    filename: str,
    max_rows: int = MAX_ROWS,
    max_bytes: int = MAX_BYTES,
    limits: UploadLimits = DEFAULT_LIMITS,
) -> list[TitleIn]:
    """All titles of an uploaded KBART, CSV or XLSX file, or TitleImportError naming every
    problem."""
    return read_title_list(
        data,
        filename=filename,
        max_rows=max_rows,
        max_bytes=max_bytes,
        limits=limits,
    ).titles


def read_title_list(
    data: bytes,
    *,
    filename: str,
    keep_good: bool = False,
    max_rows: int = MAX_ROWS,
    max_bytes: int = MAX_BYTES,
    limits: UploadLimits = DEFAULT_LIMITS,
) -> TitleImport:
    """The titles of an uploaded file. A bad row refuses the whole file unless `keep_good`:
    then the good rows are read and the bad ones returned; a bad header or file is refused
    either way.

    `max_rows` counts blank rows too, so that a sheet padded with a million empty rows is
    refused rather than scanned; `limits` bounds what a workbook unpacks to, its parts and
    texts, and the columns and field lengths of either kind (a bound exceeded is an
    `UploadTooLarge` or `UploadOverLimit` naming it)."""
    if not data:
        raise _file_error("the file is empty")
    if len(data) > max_bytes:
        raise _file_error(
            f"the file is {len(data):,} bytes; the most accepted is {max_bytes:,} bytes"
        )
    if is_xlsx(data, filename):
        rows = _xlsx_rows(data, limits, Limit("rows", max_rows, ROWS_SETTING))
    else:
        rows = _csv_rows(data, limits)
    with closing(rows):  # an XLSX's workbook is closed even when reading stops early
        return _titles(rows, max_rows, keep_good=keep_good)


def _file_error(reason: str) -> TitleImportError:
    return TitleImportError([RowProblem(row=0, column="", reason=reason)])


def is_xlsx(data: bytes, filename: str) -> bool:
    """Whether the upload is a workbook, by its content first: a name can lie either way."""
    suffix = PurePath(filename).suffix.lower()
    if data.startswith(_ZIP_MAGIC):
        return True
    if data.startswith(_OLE2_MAGIC):
        raise _file_error("old Excel (.xls) files cannot be read; save the list as .xlsx or .csv")
    if suffix in _XLSX_SUFFIXES:
        raise _file_error(f"{filename!r} is not a valid XLSX workbook")
    if suffix not in _CSV_SUFFIXES:
        raise _file_error(
            f"{filename!r} is not a KBART, CSV or XLSX file; upload a .txt (KBART), .csv or "
            ".xlsx file"
        )
    return False


def _csv_rows(data: bytes, limits: UploadLimits) -> Generator[Cells, None, None]:
    """The records of a UTF-8 CSV (BOM or not, any line endings), decoded as they are
    read; KBART is tab-separated without quoting: a title may open with a quotation mark."""
    try:
        for _line, record in read_records(data, limits, delimiters=_DELIMITERS, quote_tabs=False):
            yield [cell or None for cell in record]
    except UnreadableText as exc:
        raise _file_error(exc.detail) from None


def _xlsx_rows(data: bytes, limits: UploadLimits, rows: Limit) -> Generator[Cells, None, None]:
    """The first worksheet's rows, parsed lazily; only the header's columns are kept."""
    _prescan(data, limits, rows)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a malformed file
        raise _file_error("the file is not a readable XLSX workbook") from exc
    try:
        if not workbook.worksheets:
            raise _file_error("the workbook has no worksheet")
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # saved dimensions can be wrong; the row limit bounds reading
        header = next(
            _read_lazily(sheet.iter_rows(max_row=1, max_col=MAX_COLUMNS, values_only=True)), None
        )
        if header is None:
            raise _file_error("the file is empty")
        width = max((i + 1 for i, cell in enumerate(header) if cell is not None), default=1)
        yield header[:width]
        yield from _read_lazily(sheet.iter_rows(min_row=2, max_col=width, values_only=True))
    finally:
        workbook.close()


def _prescan(data: bytes, limits: UploadLimits, rows: Limit) -> None:
    """A bound exceeded is refused as it is (naming the bound); a damaged file as a file
    problem of the title list."""
    try:
        prescan_xlsx(data, limits, rows=rows, what="the workbook")
    except NotAZip:
        raise _file_error("the file is not a valid XLSX workbook") from None
    except InvalidInput as exc:
        if getattr(exc, "limit", None) is not None:
            raise
        raise _file_error(exc.detail) from None


def _read_lazily(rows: Iterator[tuple[Any, ...]]) -> Iterator[Cells]:
    """openpyxl's rows as text, its failures on a malformed sheet as a file problem."""
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except Exception as exc:  # parsing happens here, lazily, and can fail in many ways
            raise _file_error("the worksheet cannot be read; save it again as .xlsx") from exc
        yield [_cell_text(value) for value in row]


def _cell_text(value: Any) -> str | None:
    """A cell as the text the user sees; numbers via Decimal so that no float reaches money."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(Decimal(str(value)))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def _titles(rows: Iterable[Cells], max_rows: int, *, keep_good: bool) -> TitleImport:
    numbered = enumerate(rows, start=1)
    first = next(numbered, None)
    if first is None:
        raise _file_error("the file is empty")
    columns, header_problems = read_header(first[1])
    if header_problems:
        raise TitleImportError(
            [RowProblem(1, column, reason) for column, reason in header_problems]
        )
    merger = TitleMerger()
    problems: list[RowProblem] = []
    for parsed in parse_rows(_limited(numbered, max_rows), columns):
        problems.extend(merger.add(parsed, columns))
        if len(problems) > MAX_PROBLEMS and not keep_good:
            break
    if problems and not keep_good:
        raise TitleImportError(problems)
    if not merger.rows:
        if problems:
            raise TitleImportError(problems)
        raise _file_error("there are no titles below the header row")
    return TitleImport(merger.rows, problems)


def _limited(numbered: Iterator[tuple[int, Cells]], max_rows: int) -> Iterator[tuple[int, Cells]]:
    for row_number, cells in numbered:
        if row_number - 1 > max_rows:
            raise TitleImportError(
                [
                    RowProblem(
                        row=row_number,
                        column="",
                        reason=f"the list has more than {max_rows:,} rows (blank rows "
                        "included); split it into smaller lists",
                    )
                ]
            )
        yield row_number, cells
