"""A batch file read into document requests: JSON Lines (one request per line) or CSV with
dotted column names for nested data (`data.lines.0.sku`), as a spreadsheet exports them.
Pure; a line that cannot be read is a row with a problem, not a refused file. Text that is
not UTF-8, holds a NUL byte, or a CSV record over the column or field bounds
(`app.uploads.limits`) refuses the file, naming the line."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from app.uploads.delimited import check_text, read_records
from app.uploads.limits import DEFAULT_LIMITS, UploadLimits

MAX_ROWS = 10_000


@dataclass(frozen=True)
class ParsedRow:
    row: int
    """The line (JSON Lines) or the record after the header (CSV), from 1."""
    request: dict[str, Any]
    problem: str = ""


class BatchFileError(ValueError):
    """The file as a whole cannot be read (not UTF-8, no rows, too many rows)."""


def _set(target: dict[str, Any], path: list[str], value: Any) -> None:
    node: Any = target
    for index, part in enumerate(path):
        last = index == len(path) - 1
        following: Any = None if last else ([] if path[index + 1].isdigit() else {})
        if isinstance(node, list):
            position = int(part)
            while len(node) <= position:
                node.append(None)
            if last:
                node[position] = value
            else:
                node[position] = node[position] if node[position] is not None else following
                node = node[position]
        else:
            if last:
                node[part] = value
            else:
                node = node.setdefault(part, following)


def unflatten(record: dict[str, str]) -> dict[str, Any]:
    """{"data.lines.0.sku": "X"} -> {"data": {"lines": [{"sku": "X"}]}}; empty cells are
    left out, a cell holding a JSON object or list is read as JSON, and every other cell
    stays text (the data model reads "2" as a quantity and "12.50" as money)."""
    result: dict[str, Any] = {}
    for column, cell in record.items():
        value = (cell or "").strip()
        if not column or not value:
            continue
        parsed: Any = value
        if value[0] in "[{":
            try:
                parsed = json.loads(value)
            except json.JSONDecodeError:
                parsed = value
        _set(result, column.strip().split("."), parsed)
    return result


def _text(data: bytes) -> str:
    check_text(data)
    return data.decode("utf-8-sig")


def _bounded(rows: list[ParsedRow]) -> list[ParsedRow]:
    if not rows:
        raise BatchFileError("the file holds no requests")
    if len(rows) > MAX_ROWS:
        raise BatchFileError(f"the file holds {len(rows):,} requests; at most {MAX_ROWS:,}")
    return rows


def parse_jsonl(data: bytes) -> list[ParsedRow]:
    rows: list[ParsedRow] = []
    for number, line in enumerate(_text(data).splitlines(), start=1):
        if not line.strip():
            continue
        if len(rows) > MAX_ROWS:
            break
        try:
            request = json.loads(line)
        except json.JSONDecodeError as exc:
            rows.append(ParsedRow(number, {}, f"not JSON: {exc.msg} at column {exc.colno}"))
            continue
        if not isinstance(request, dict):
            rows.append(ParsedRow(number, {}, "each line is one JSON object"))
            continue
        rows.append(ParsedRow(number, request))
    return _bounded(rows)


def parse_csv(data: bytes, limits: UploadLimits = DEFAULT_LIMITS) -> list[ParsedRow]:
    """Records after the header, numbered from 1; blank lines are skipped."""
    read = (record for _, record in read_records(data, limits) if record)
    header = [name.strip() for name in next(read, [])]
    if "template" not in header:
        raise BatchFileError("the CSV needs a header row with a `template` column")
    rows: list[ParsedRow] = []
    for number, record in enumerate(read, start=1):
        if len(rows) > MAX_ROWS:
            break
        if len(record) > len(header):
            rows.append(ParsedRow(number, {}, "more cells than columns"))
            continue
        rows.append(ParsedRow(number, unflatten(dict(zip(header, record, strict=False)))))
    return _bounded(rows)


def parse_batch(
    data: bytes, *, filename: str, content_type: str, limits: UploadLimits = DEFAULT_LIMITS
) -> list[ParsedRow]:
    """By content type, else by the file name's ending (.csv; .jsonl or .ndjson)."""
    kind = content_type.split(";")[0].strip().lower()
    if kind == "text/csv" or (kind not in JSONL_TYPES and filename.lower().endswith(".csv")):
        return parse_csv(data, limits)
    if kind in JSONL_TYPES or filename.lower().endswith((".jsonl", ".ndjson")):
        return parse_jsonl(data)
    raise BatchFileError(
        f"send CSV (text/csv) or JSON Lines (application/jsonl); the type was {kind or 'not given'}"
    )


JSONL_TYPES = frozenset({"application/jsonl", "application/x-ndjson", "application/x-jsonlines"})
