"""Delimited text (CSV, KBART) read with bounds: any line ending (CRLF, LF, a bare CR,
mixed), a UTF-8 BOM or none (or UTF-16 with its BOM); a NUL byte or bytes that are not
UTF-8 are refused naming their line, and so is a record with too many columns or too long
a field."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Iterator

from app.errors import InvalidInput
from app.uploads.limits import UploadLimits

_CHUNK = 1024 * 1024
_BOM = codecs.BOM_UTF8


class UnreadableText(InvalidInput):
    """Bytes that are not UTF-8 text; `line` says where (from 1)."""

    def __init__(self, detail: str, line: int) -> None:
        super().__init__(detail)
        self.line = line


def line_at(data: bytes, position: int) -> int:
    """The line of a byte, whatever the line endings: CRLF, LF and a bare CR each end one."""
    head = data[:position]
    return head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n") + 1


def check_text(data: bytes) -> None:
    """Refuse a NUL byte or bytes that are not UTF-8, naming the first one's line;
    decoded a chunk at a time, so nothing the size of the file is built."""
    nul = data.find(b"\0")
    if nul >= 0:
        raise UnreadableText(
            f"the file is not text: it holds a NUL byte (line {line_at(data, nul)}); "
            "save it as CSV UTF-8",
            line_at(data, nul),
        )
    decoder = codecs.getincrementaldecoder("utf-8")()
    for offset in range(0, len(data), _CHUNK):
        try:
            decoder.decode(data[offset : offset + _CHUNK], final=offset + _CHUNK >= len(data))
        except UnicodeDecodeError as exc:
            line = line_at(data, max(offset + exc.start, 0))
            raise UnreadableText(
                f"the file is not UTF-8 text (line {line}); save it as CSV UTF-8", line
            ) from None


def from_utf16(data: bytes) -> bytes:
    """UTF-16 text that says so by its BOM (what Excel saves as "Unicode Text") as UTF-8;
    anything else as it is."""
    if not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data
    try:
        return data.decode("utf-16").encode("utf-8")
    except UnicodeDecodeError:
        raise UnreadableText(
            "the file is not UTF-16 text, though it starts as such; save it as CSV UTF-8", 1
        ) from None


def text_lines(data: bytes) -> Iterator[str]:
    """The lines of checked text, each with its own ending, untranslated (as csv wants);
    UTF-16 with a BOM is read too."""
    data = from_utf16(data)
    check_text(data)
    text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    yield from text


def records(
    lines: Iterable[str], limits: UploadLimits, *, delimiter: str = ",", quoted: bool = True
) -> Iterator[tuple[int, list[str]]]:
    """Each record with the line it starts on; `quoted=False` reads quotation marks as
    text (KBART)."""
    if csv.field_size_limit() <= limits.field_chars:
        csv.field_size_limit(limits.field_chars + 1)
    reader = csv.reader(
        lines, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL if quoted else csv.QUOTE_NONE
    )
    line = 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "field limit" in str(exc):
                raise _long_field(limits, line) from None
            raise InvalidInput(f"the CSV cannot be read (line {line}): {exc}") from None
        if len(record) > limits.columns:
            raise limits.over(
                "columns",
                f"line {line} has {len(record):,} fields; at most {limits.columns:,} are allowed",
            )
        if any(len(cell) > limits.field_chars for cell in record):
            raise _long_field(limits, line)
        yield line, record if quoted else [excel_unquoted(cell) for cell in record]
        line = reader.line_num + 1


def excel_unquoted(cell: str) -> str:
    """A cell of unquoted text as written, but for the quotation marks Excel puts around a
    cell holding a comma or a quotation mark when it saves tab-delimited text
    ("Physics, Chemistry" and "The ""Quoted"" Review"): a cell that merely opens with one
    ('"Quoted" Letters') is kept as it is."""
    if len(cell) < 2 or cell[0] != '"' or cell[-1] != '"':
        return cell
    inner = cell[1:-1]
    if '"' in inner.replace('""', ""):
        return cell
    return inner.replace('""', '"')


def _long_field(limits: UploadLimits, line: int) -> InvalidInput:
    return limits.over(
        "field_chars",
        f"line {line} has a field longer than {limits.field_chars:,} characters",
    )


def read_records(
    data: bytes,
    limits: UploadLimits,
    *,
    delimiters: tuple[str, ...] = (",",),
    quote_tabs: bool = True,
) -> Iterator[tuple[int, list[str]]]:
    """The records of an uploaded text, delimited by whichever of `delimiters` its first
    line uses most (column names hold none); tab-delimited text is read unquoted unless
    `quote_tabs`."""
    lines = text_lines(data)
    first = next(lines, "")
    if not first:
        return
    delimiter = max(delimiters, key=first.count)

    def again() -> Iterator[str]:
        yield first
        yield from lines

    yield from records(again(), limits, delimiter=delimiter, quoted=quote_tabs or delimiter != "\t")
