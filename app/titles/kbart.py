"""Title lists as KBART Phase II files (NISO RP-9-2014), which link resolvers and
knowledge bases load: tab-separated UTF-8 without a BOM, one title a line, no quoting."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import date

from app.assembly.schemas import TitleIn

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


def kbart_rows(titles: Iterable[TitleIn], *, publisher: str) -> Iterator[list[str]]:
    """The header row, then a row per title, every value safe to join with tabs. All
    titles are serials in full text, paid for ("P"); the title id is the eISSN, else the
    ISSN."""
    yield list(KBART_COLUMNS)
    for title in titles:
        fields = {
            "publication_title": title.title,
            "print_identifier": title.issn or "",
            "online_identifier": title.eissn or "",
            "title_id": title.eissn or title.issn or "",
            "coverage_depth": "fulltext",
            "publisher_name": publisher,
            "publication_type": "serial",
            "access_type": "P",
        }
        yield [_clean(fields.get(column, "")) for column in KBART_COLUMNS]


def kbart_titles(rows: Iterable[dict[str, str]]) -> list[TitleIn]:
    """Titles back from an assembled list's rows; they were checked on the way in."""
    return [
        TitleIn.model_construct(
            title=row["title"], issn=row["issn"] or None, eissn=row["eissn"] or None
        )
        for row in rows
    ]


def render_kbart(titles: Iterable[TitleIn], *, publisher: str) -> bytes:
    return "".join("\t".join(row) + "\n" for row in kbart_rows(titles, publisher=publisher)).encode(
        "utf-8"
    )


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
