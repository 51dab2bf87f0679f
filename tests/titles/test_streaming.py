"""KBART files of e-book collections checked and copied a row at a time: the same
titles as the upload path, in memory that does not grow with the list."""

from __future__ import annotations

import io
import tracemalloc
from collections.abc import Iterator

from app.titles.importing import read_titles
from app.titles.kbart import KBART_COLUMNS
from app.titles.streaming import TitleStream, check_kbart, copy_kbart
from tests.titles.test_kbart_import import BOOK, NATURE_1, NATURE_2, SCIENCE, kbart


def test_a_stream_gives_the_titles_the_upload_gives() -> None:
    text = kbart(NATURE_1, NATURE_2, SCIENCE, BOOK, extra=("package_name",))
    stream = TitleStream(io.StringIO(text))
    assert list(stream) == read_titles(text.encode(), filename="k.txt")
    assert (stream.count, stream.problems, stream.extra) == (3, [], ["package_name"])


def test_a_copy_keeps_every_field_and_reports_the_rows_left_out() -> None:
    text = kbart(NATURE_1, NATURE_2, {**SCIENCE, "online_identifier": "1095-9204"}, BOOK)
    out = io.StringIO()
    problems = copy_kbart(io.StringIO(text), out, publisher="Northfield")
    assert [(p.row, p.column, p.value) for p in problems] == [(4, "online_identifier", "1095-9204")]
    lines = out.getvalue().splitlines()
    assert lines[0].split("\t") == list(KBART_COLUMNS)
    assert [line.split("\t")[0] for line in lines[1:]] == [
        "Nature",
        "Nature",
        BOOK["publication_title"],
    ]
    good = read_titles(kbart(NATURE_1, NATURE_2, BOOK).encode(), filename="k.txt")
    book = good[1].model_copy(update={"access_type": "P"})  # a title without one is paid for
    assert read_titles(out.getvalue().encode(), filename="o.txt") == [good[0], book]


def test_a_title_whose_rows_are_apart_is_named_with_both_rows() -> None:
    text = kbart(NATURE_1, SCIENCE, NATURE_2)
    count, problems = check_kbart(io.StringIO(text))
    assert count == 2
    assert [(p.row, p.reason) for p in problems] == [
        (4, "the row repeats the title of row 2; a title's rows must follow one another")
    ]


def _lines(titles: int) -> Iterator[str]:
    yield "\t".join(KBART_COLUMNS) + "\n"
    for n in range(titles):
        digits = f"{n:07d}"
        check = -sum((8 - i) * int(d) for i, d in enumerate(digits)) % 11
        issn = f"{digits[:4]}-{digits[4:]}{'0123456789X'[check]}"
        row = {"publication_title": f"Journal {n}", "online_identifier": issn}
        yield "\t".join(row.get(c, "") for c in KBART_COLUMNS) + "\n"


class _Lines(io.TextIOBase):
    """A text read a line at a time, never held whole."""

    def __init__(self, titles: int) -> None:
        self._lines = _lines(titles)

    def __iter__(self) -> Iterator[str]:
        return self._lines

    def __next__(self) -> str:
        return next(self._lines)


def test_checking_more_titles_takes_no_more_memory_than_the_identifiers() -> None:
    peaks = []
    for titles in (5_000, 20_000):
        tracemalloc.start()
        try:
            count, problems = check_kbart(_Lines(titles))  # type: ignore[arg-type]
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
        assert (count, problems) == (titles, [])
    # four times the titles: the identifiers grow (about 150 bytes each), nothing else
    assert peaks[1] - peaks[0] < 15_000 * 400
