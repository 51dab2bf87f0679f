"""Which column of an uploaded title list holds what: KBART's field names, the headers of
our own CSV and XLSX exports in English, Dutch and Chinese (a price header may name its currency,
"Price (EUR)"), and the names agents commonly use. Other columns are kept as they are."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# The field a cell fills, by the names a header may give it (compared case-insensitively).
ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("title", "publication_title", "titel", "刊名"),
    "title_id": ("title_id",),
    "publication_type": ("publication_type", "type", "soort", "类型"),
    "print_id": ("print_identifier",),
    "online_id": ("online_identifier",),
    "issn": ("issn", "pissn", "p-issn", "print issn"),
    "eissn": ("eissn", "e-issn", "online issn"),
    "issn_l": ("issn_l", "issn-l", "linking issn"),
    "isbn": ("isbn", "print isbn"),
    "eisbn": ("eisbn", "e-isbn", "online isbn"),
    "first_date": ("date_first_issue_online", "coverage from", "dekking vanaf", "起始日期"),
    "first_volume": ("num_first_vol_online", "first volume", "eerste jaargang", "起始卷"),
    "first_issue": ("num_first_issue_online", "first issue", "eerste nummer", "起始期"),
    "last_date": ("date_last_issue_online", "coverage to", "dekking tot", "截止日期"),
    "last_volume": ("num_last_vol_online", "last volume", "laatste jaargang", "截止卷"),
    "last_issue": ("num_last_issue_online", "last issue", "laatste nummer", "截止期"),
    "title_url": ("title_url", "url", "网址"),
    "first_author": ("first_author",),
    "last_author": ("last_author", "last author", "laatste auteur"),
    "embargo": ("embargo_info", "embargo", "滞后期"),
    "depth": ("coverage_depth",),
    "notes": ("notes", "coverage_notes"),
    "publisher": ("publisher_name", "publisher", "uitgever", "出版社"),
    "date_monograph_published_print": ("date_monograph_published_print",),
    "date_monograph_published_online": ("date_monograph_published_online",),
    "monograph_volume": ("monograph_volume",),
    "monograph_edition": ("monograph_edition",),
    "first_editor": ("first_editor",),
    "parent_publication_title_id": ("parent_publication_title_id",),
    "preceding_publication_title_id": ("preceding_publication_title_id",),
    "access_type": ("access_type",),
    "subject": ("subject", "vakgebied", "学科"),
    "package": ("package", "pakket", "资源包"),
    "price": ("price", "prijs", "价格"),
}
FIELD_OF = {alias: name for name, aliases in ALIASES.items() for alias in aliases}
COVERAGE_FIELDS = (
    "first_date",
    "first_volume",
    "first_issue",
    "last_date",
    "last_volume",
    "last_issue",
    "embargo",
    "depth",
    "notes",
)
IDENTIFIER_FIELDS = ("issn", "eissn", "isbn", "eisbn")
_CURRENCY = re.compile(r"\s*\([A-Za-z]{3}\)$")


@dataclass
class Columns:
    """Each known field's position; `headers` names the column a field came from as the
    file writes it (an ISBN from print_identifier names print_identifier); `extra` the
    other named columns; `width` how many cells a row may fill."""

    index: dict[str, int] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    extra: dict[str, int] = field(default_factory=dict)
    width: int = 0

    def header(self, name: str) -> str:
        return self.headers.get(name, name)


def field_of(header: str) -> str | None:
    """The field a header names: "Price (EUR)" is the price, "Dekking vanaf" the start of
    coverage."""
    name = _CURRENCY.sub("", header.strip()).casefold()
    return FIELD_OF.get(name) or FIELD_OF.get(name.replace(" ", "_"))


def read_header(header: list[str | None]) -> tuple[Columns, list[tuple[str, str]]]:
    """The columns of a header row, and its problems as (column, reason)."""
    columns = Columns(
        width=max((i + 1 for i, c in enumerate(header) if c and c.strip()), default=0)
    )
    problems: list[tuple[str, str]] = []
    for index, cell in enumerate(header):
        name = (cell or "").strip()
        if not name:
            continue
        known = field_of(name)
        if known is None:
            if name in columns.extra:
                problems.append((name, f"two columns are named {name!r}"))
            columns.extra[name] = index
            continue
        if known in columns.index:
            other = columns.headers[known]
            problems.append((name, f"{other!r} and {name!r} both give the {known}"))
            continue
        columns.index[known] = index
        columns.headers[known] = name
    for given, meant in (("print_id", ("issn", "isbn")), ("online_id", ("eissn", "eisbn"))):
        for name in meant:
            if given in columns.headers:
                columns.headers.setdefault(name, columns.headers[given])
    if "title" not in columns.index:
        problems.append(
            (
                "title",
                "there is no title column; the first row must name the columns "
                "(title, issn, eissn, subject, price or KBART's publication_title, …)",
            )
        )
    return columns, problems
