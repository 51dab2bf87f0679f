"""Title lists as KBART Phase II files (NISO RP-9-2014), which link resolvers and
knowledge bases load: tab-separated UTF-8 without a BOM, one title a line, no quoting."""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import TextIO

from app.assembly.schemas import TitleIn
from app.assembly.title_fields import Coverage

KBART_COLUMNS = (
    "publication_title",
    "print_identifier",
    "online_identifier",
    "date_first_issue_online",
    "num_first_vol_online",
    "num_first_issue_online",
    "date_last_issue_online",
    "num_last_vol_online",
    "num_last_issue_online",
    "title_url",
    "first_author",
    "title_id",
    "embargo_info",
    "coverage_depth",
    "notes",
    "publisher_name",
    "publication_type",
    "date_monograph_published_print",
    "date_monograph_published_online",
    "monograph_volume",
    "monograph_edition",
    "first_editor",
    "parent_publication_title_id",
    "preceding_publication_title_id",
    "access_type",
)

# Anything a reader could take for the end of a field or of a line.
_BREAKS = re.compile(r"[\t\n\r\v\f\x1c-\x1e\x85\u2028\u2029]+")


OWN_COLUMNS = ("issn_l", "last_author", "subject", "package", "price")
"""Ours, after KBART's: what our contracts add to a title."""


def extra_columns(titles: Iterable[TitleIn]) -> list[str]:
    """The columns after KBART's that a list needs: ours that any title fills, then the
    other columns its files brought, in the order first met."""
    own: set[str] = set()
    extra: dict[str, None] = {}
    for title in titles:
        own.update(name for name in OWN_COLUMNS if getattr(title, name) not in (None, ""))
        extra.update(dict.fromkeys(title.extra))
    return [name for name in OWN_COLUMNS if name in own] + [n for n in extra if n not in own]


def kbart_rows(
    titles: Iterable[TitleIn], *, publisher: str, extra: Sequence[str] = ()
) -> Iterator[list[str]]:
    """The header row, then a row per coverage range of each title (one for a title
    without), every value safe to join with tabs. What a title leaves empty is filled as a
    knowledge base needs it: the publisher, full text, paid for ("P"); a title id only
    where one was given."""
    yield [*KBART_COLUMNS, *extra]
    for title in titles:
        fields = _title_fields(title, publisher)
        fields.extend(_extra_value(title, name) for name in extra)
        if not title.coverage:
            yield fields
        for coverage in title.coverage:
            row = list(fields)
            for index, value in zip(_COVERAGE_AT, _coverage_values(coverage), strict=True):
                row[index] = _clean(value)
            row[_DEPTH_AT] = coverage.depth
            if coverage.access_type:
                row[_ACCESS_AT] = coverage.access_type
            yield row


def write_kbart(
    titles: Iterable[TitleIn], out: TextIO, *, publisher: str, extra: Sequence[str] = ()
) -> None:
    """The file, a line at a time: a list of any length in the memory of one title."""
    for row in kbart_rows(titles, publisher=publisher, extra=extra):
        out.write("\t".join(row))
        out.write("\n")


def render_kbart(titles: Sequence[TitleIn], *, publisher: str) -> bytes:
    out = io.StringIO()
    write_kbart(titles, out, publisher=publisher, extra=extra_columns(titles))
    return out.getvalue().encode("utf-8")


_COVERAGE_COLUMNS = (
    "date_first_issue_online",
    "num_first_vol_online",
    "num_first_issue_online",
    "date_last_issue_online",
    "num_last_vol_online",
    "num_last_issue_online",
    "embargo_info",
    "notes",
)
_COVERAGE_AT = tuple(KBART_COLUMNS.index(name) for name in _COVERAGE_COLUMNS)
_DEPTH_AT = KBART_COLUMNS.index("coverage_depth")
_ACCESS_AT = KBART_COLUMNS.index("access_type")


def _coverage_values(coverage: Coverage) -> tuple[str, ...]:
    c = coverage
    return (
        c.first_date,
        c.first_volume,
        c.first_issue,
        c.last_date,
        c.last_volume,
        c.last_issue,
        c.embargo,
        c.notes,
    )


def _title_fields(title: TitleIn, publisher: str) -> list[str]:
    book = title.publication_type == "monograph"
    print_id = (title.isbn if book else title.issn) or title.issn or title.isbn or ""
    online_id = (title.eisbn if book else title.eissn) or title.eissn or title.eisbn or ""
    values = {
        "publication_title": title.title,
        "print_identifier": print_id,
        "online_identifier": online_id,
        "title_url": title.title_url,
        "first_author": title.first_author,
        "title_id": title.title_id,
        "coverage_depth": "fulltext",
        "publisher_name": title.publisher or publisher,
        "publication_type": title.publication_type,
        "date_monograph_published_print": title.date_monograph_published_print,
        "date_monograph_published_online": title.date_monograph_published_online,
        "monograph_volume": title.monograph_volume,
        "monograph_edition": title.monograph_edition,
        "first_editor": title.first_editor,
        "parent_publication_title_id": title.parent_publication_title_id,
        "preceding_publication_title_id": title.preceding_publication_title_id,
        "access_type": title.access_type or "P",
    }
    return [_clean(values.get(column, "")) for column in KBART_COLUMNS]


def _extra_value(title: TitleIn, name: str) -> str:
    if name in OWN_COLUMNS:
        value = getattr(title, name)
        return "" if value is None else _clean(str(value))
    return _clean(title.extra.get(name, ""))


def kbart_filename(provider: str, region: str, package: str, on: date) -> str:
    """KBART's ProviderName_Region/Consortium_PackageName_YYYY-MM-DD.txt, each part reduced
    to ASCII letters and digits (accents dropped) so that the underscores stay separators."""
    parts = [_name_part(part) for part in (provider, region, package)]
    return f"{'_'.join(parts)}_{on.isoformat()}.txt"


def _clean(value: str) -> str:
    return _BREAKS.sub(" ", value).strip()


def _name_part(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    part = "".join(char for char in ascii_text if char.isalnum())
    if not part:
        raise ValueError(f"{text!r} has no letters or digits to put in a KBART file name")
    return part
