"""KBART files of e-book collections (100,000 titles and more) checked and written out a
row at a time, in memory that does not grow with the titles: only each identifier seen
is kept, to find one given to two titles.

The rows of one title must follow one another here (a knowledge base's own files do);
the upload path (importing), which holds the whole list anyway, joins them wherever
they are."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TextIO

from app.assembly.schemas import TitleIn
from app.titles.columns import Columns, read_header
from app.titles.importing import MAX_PROBLEMS, TitleImportError
from app.titles.kbart import write_kbart
from app.titles.rows import ParsedRow, RowProblem, TitleMerger, parse_rows, repeat_problem
from app.uploads.delimited import records
from app.uploads.limits import DEFAULT_LIMITS, UploadLimits


class TitleStream:
    """The titles of a KBART (or other tab-separated) text, as they are read; after
    iterating, `problems` holds every row that was left out, by row, column and value."""

    def __init__(self, text: Iterable[str], limits: UploadLimits = DEFAULT_LIMITS) -> None:
        self._reader = (record for _, record in records(text, limits, delimiter="\t", quoted=False))
        header = next(self._reader, None)
        if header and header[0].startswith("\ufeff"):
            header[0] = header[0][1:]
        columns, problems = read_header(list(header or []))
        if problems:
            raise TitleImportError([RowProblem(1, column, reason) for column, reason in problems])
        self.columns: Columns = columns
        self.problems: list[RowProblem] = []
        self.count = 0

    @property
    def extra(self) -> list[str]:
        """The file's columns beyond those we know, to be written after KBART's."""
        return list(self.columns.extra)

    def __iter__(self) -> Iterator[TitleIn]:
        """Each title once its rows are read: a row with the key of the one before is
        another range of its title."""
        seen = TitleMerger()  # only for the identifiers it remembers
        pending: TitleIn | None = None
        key: tuple[str, ...] = ()
        first_row = 0
        numbered = ((n, list[str | None](cells)) for n, cells in enumerate(self._reader, 2))
        for parsed in parse_rows(numbered, self.columns):
            found = list(parsed.problems)
            if pending is not None and parsed.key == key and parsed.title is not None:
                found += _joined(pending, parsed, first_row, self.columns)
                if not found:
                    pending = _with_ranges(pending, parsed.title)
                    continue
            else:
                found += self._repeated(seen, parsed) + list(seen.duplicates(parsed, self.columns))
            if found or parsed.title is None:
                if len(self.problems) < MAX_PROBLEMS:
                    self.problems.extend(found)
                continue
            if pending is not None:
                self.count += 1
                yield pending
            pending, key, first_row = parsed.title, parsed.key, parsed.row
        if pending is not None:
            self.count += 1
            yield pending

    @staticmethod
    def _repeated(seen: TitleMerger, parsed: ParsedRow) -> list[RowProblem]:
        for _, number in parsed.identifiers:
            owner = seen.owner(number)
            if owner is not None and owner[1] == parsed.key:
                reason = (
                    f"the row repeats the title of row {owner[0]}; a title's rows must follow "
                    "one another"
                )
                return [RowProblem(parsed.row, "", reason)]
        return []


def _joined(pending: TitleIn, parsed: ParsedRow, row: int, columns: Columns) -> list[RowProblem]:
    assert parsed.title is not None
    for name in TitleIn.model_fields:
        if name == "coverage" or (name == "access_type" and parsed.title.coverage):
            continue  # a range may have an access of its own
        if getattr(pending, name) != getattr(parsed.title, name):
            return [repeat_problem(parsed, row, name, columns)]
    return []


def _with_ranges(title: TitleIn, again: TitleIn) -> TitleIn:
    ranges = again.coverage
    if again.access_type != title.access_type:
        ranges = [c.model_copy(update={"access_type": again.access_type}) for c in ranges]
    new = [c for c in ranges if c not in title.coverage]
    return title.model_copy(update={"coverage": [*title.coverage, *new]}) if new else title


def check_kbart(text: TextIO) -> tuple[int, list[RowProblem]]:
    """How many titles a KBART text holds, and its problems; nothing is kept."""
    stream = TitleStream(text)
    for _ in stream:
        pass
    return stream.count, stream.problems


def copy_kbart(text: TextIO, out: TextIO, *, publisher: str) -> list[RowProblem]:
    """The good titles of a KBART text written out as our KBART (every field kept, a
    title's ranges joined); the rows left out."""
    stream = TitleStream(text)
    write_kbart(stream, out, publisher=publisher, extra=stream.extra)
    return stream.problems
