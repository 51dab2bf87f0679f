"""Rows of a title list (KBART, CSV or XLSX, already split into cells) checked one at a
time, as they are read: each becomes a title with one coverage range, or the problems
found in it, by row, column and value. `TitleMerger` then joins the rows of one title
(KBART gives a title with a gap in its coverage a row per range) and keeps an
identifier from being given to two titles."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from app.assembly.schemas import TitleIn
from app.assembly.title_fields import valid_isbn, valid_issn
from app.titles.columns import COVERAGE_FIELDS, IDENTIFIER_FIELDS, Columns

Cells = list[str | None]
_LABEL = {"issn": "ISSN", "eissn": "ISSN", "isbn": "ISBN", "eisbn": "ISBN"}


@dataclass(frozen=True)
class RowProblem:
    """What is wrong where: `row` is the spreadsheet row or the file's line (the header is
    1; 0 for the file as a whole), `column` the header as written in the file ("" for the
    whole row), `value` the cell as given."""

    row: int
    column: str
    reason: str
    value: str = ""


@dataclass(frozen=True)
class ParsedRow:
    row: int
    title: TitleIn | None
    """None when the row has problems."""
    key: tuple[str, ...]
    """The title and its valid identifiers, as written in the row: rows with the same key
    are one title."""
    identifiers: tuple[tuple[str, str], ...]
    """(field, normalised identifier) of each valid identifier in the row."""
    problems: tuple[RowProblem, ...] = ()


def parse_rows(rows: Iterable[tuple[int, Cells]], columns: Columns) -> Iterator[ParsedRow]:
    """Each non-blank row checked on its own."""
    for number, cells in rows:
        values = _values(cells, columns)
        if not values:
            continue
        problems = list(_shifted(number, cells, columns))
        _place_identifiers(values)
        identifiers = tuple(_identifiers(values))
        key = (values.get("title", "").casefold(), *(number for _, number in identifiers))
        title = None
        try:
            title = TitleIn.model_validate(_model_input(values, cells, columns))
        except ValidationError as exc:
            problems.extend(_validation_problems(number, exc, columns, values))
        if problems:
            title = None
        yield ParsedRow(number, title, key, identifiers, tuple(problems))


def _values(cells: Cells, columns: Columns) -> dict[str, str]:
    """The row's non-empty known cells by field; an empty cell takes the field's default."""
    values = {}
    size = len(cells)
    for name, index in columns.index.items():
        if index < size:
            cell = cells[index]
            if cell and (cell := cell.strip()):
                values[name] = _uninert(cell)
    return values


_INERT = ("'=", "'+", "'-", "'@")


def _uninert(cell: str) -> str:
    """A cell as written before our spreadsheet exports kept it from reading as a formula
    (app.rendering.tables.inert puts an apostrophe before =, +, - and @)."""
    return cell[1:] if cell.startswith(_INERT) else cell


def _shifted(number: int, cells: Cells, columns: Columns) -> Iterator[RowProblem]:
    """Cells to the right of the last named column: the row's fields are shifted."""
    for index in range(columns.width, len(cells)):
        cell = cells[index]
        if cell and cell.strip():
            yield RowProblem(
                number,
                "",
                f"the row has a value in column {index + 1}, beyond the header's "
                f"{columns.width} columns: are its fields shifted?",
                cell.strip(),
            )
            return


def _place_identifiers(values: dict[str, str]) -> None:
    """KBART's print and online identifiers are ISSNs for a serial and ISBNs for a book: by
    the publication type where given, else by their length."""
    monograph = values.get("publication_type", "").casefold() == "monograph"
    for given, serial, book in (("print_id", "issn", "isbn"), ("online_id", "eissn", "eisbn")):
        number = values.pop(given, None)
        if number is None:
            continue
        as_book = monograph or len(number.replace("-", "").replace(" ", "")) > 9
        values.setdefault(book if as_book else serial, number)


def _identifiers(values: dict[str, str]) -> Iterator[tuple[str, str]]:
    for name in IDENTIFIER_FIELDS:
        given = values.get(name)
        if given is None:
            continue
        number = valid_issn(given) if name in ("issn", "eissn") else valid_isbn(given)
        if number is not None:
            yield name, number


def _model_input(values: dict[str, str], cells: Cells, columns: Columns) -> dict[str, Any]:
    data: dict[str, Any] = {k: v for k, v in values.items() if k not in COVERAGE_FIELDS}
    coverage = {k: v for k, v in values.items() if k in COVERAGE_FIELDS}
    if coverage and coverage != {"depth": "fulltext"}:  # what is said of a title without dates
        data["coverage"] = [coverage]
    if "publication_type" in data:
        data["publication_type"] = data["publication_type"].casefold()
    if "access_type" in data:
        data["access_type"] = data["access_type"].upper()
    if columns.extra:
        size = len(cells)
        extra = {
            name: cell.strip()
            for name, index in columns.extra.items()
            if index < size and (cell := cells[index]) and cell.strip()
        }
        if extra:
            data["extra"] = extra
    return data


def _validation_problems(
    number: int, exc: ValidationError, columns: Columns, values: dict[str, str]
) -> Iterator[RowProblem]:
    for error in exc.errors():
        loc = error["loc"]
        name = str(loc[-1] if loc and loc[0] == "coverage" else loc[0]) if loc else ""
        reason = error["msg"].removeprefix("Value error, ")
        yield RowProblem(number, columns.header(name), reason, values.get(name, ""))


def stored(title: TitleIn) -> dict[str, Any]:
    """A title as a document keeps it: only what it gives, so that lists of 100,000
    titles stay small (a third of the memory of the models)."""
    return title.model_dump(mode="json", exclude_defaults=True)


_PER_RANGE = ("coverage", "access_type")
"""What a title's rows may give differently: each row is a range, with its own access (a
range whose access is not the title's, its first row's, says so)."""


class TitleMerger:
    """Joins the rows of one title into one, in the order first seen, and reports a row
    that gives another title's identifier (naming both rows) or repeats a title with other
    details than its first row. Holds every title, as stored: the list is what it gives."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self._by_key: dict[tuple[str, ...], tuple[int, int]] = {}
        self._owner: dict[str, tuple[int, tuple[str, ...], str]] = {}

    def add(self, parsed: ParsedRow, columns: Columns) -> list[RowProblem]:
        problems = list(parsed.problems)
        problems.extend(self.duplicates(parsed, columns))
        if problems or parsed.title is None:
            return problems
        first = self._by_key.get(parsed.key)
        new = stored(parsed.title)
        if first is None:
            self._by_key[parsed.key] = (len(self.rows), parsed.row)
            self.rows.append(new)
            return []
        index, row = first
        earlier = self.rows[index]
        differs = next(
            (
                k
                for k in earlier.keys() | new.keys()
                if k not in _PER_RANGE and earlier.get(k) != new.get(k)
            ),
            None,
        )
        access = new.get("access_type", "")
        if access != earlier.get("access_type", "") and not new.get("coverage"):
            differs = differs or "access_type"
        if differs:
            return [repeat_problem(parsed, row, differs, columns)]
        ranges = earlier.setdefault("coverage", [])
        if access != earlier.get("access_type", ""):
            new["coverage"] = [{**c, "access_type": access} for c in new["coverage"]]
        ranges.extend(c for c in new.get("coverage", ()) if c not in ranges)
        return []

    def duplicates(self, parsed: ParsedRow, columns: Columns) -> Iterator[RowProblem]:
        for name, number in parsed.identifiers:
            owner = self._owner.setdefault(number, (parsed.row, parsed.key, name))
            if owner[1] != parsed.key:
                yield RowProblem(
                    parsed.row,
                    columns.header(name),
                    f"{_LABEL[name]} {number} is also in row {owner[0]} "
                    f"({columns.header(owner[2])})",
                    number,
                )

    def owner(self, number: str) -> tuple[int, tuple[str, ...], str] | None:
        return self._owner.get(number)


def repeat_problem(parsed: ParsedRow, row: int, differs: str, columns: Columns) -> RowProblem:
    assert parsed.title is not None
    return RowProblem(
        parsed.row,
        columns.header(differs),
        f"the row repeats the title of row {row} (another coverage range) "
        f"but gives another {differs}",
        str(getattr(parsed.title, differs)),
    )
