"""Issue 21: a workbook uploaded as a title list that would cost the service minutes and
gigabytes (nine million shared strings, a hundred thousand parts, a member packed a
thousand to one, a sheet declaring every cell, a billion laughs) is refused in well
under a second and a few MB, by a problem that names the bound, and imports nothing."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from apiflask import APIFlask
from openpyxl import Workbook

from tests.conftest import bearer, row_counts
from tests.hostile.bombs import Member, measured, member, repeated, zip_of
from tests.support.flows import signed_licence

MIB = 1024 * 1024
_MAIN = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10)
        for n in range(1, 10)
    )
    + b"]>"
)


def workbook(replace: dict[str, Member] | None = None, *, extra: list[Member] = ()) -> bytes:  # type: ignore[assignment]
    """A real title list workbook (openpyxl's), some parts replaced or added."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["title", "issn"])
    sheet.append(["Nature", "0028-0836"])
    out = io.BytesIO()
    book.save(out)
    replace = replace or {}
    with zipfile.ZipFile(out) as real:
        parts = [replace.get(name) or member(name, real.read(name)) for name in real.namelist()]
        added = [m for name, m in replace.items() if name not in real.namelist()]
    return zip_of([*parts, *added, *extra])


def nine_million_shared_strings() -> bytes:
    """The attack found from outside: 9,000,000 empty strings, packed to a few hundred KB."""
    block = b"<si><t/></si>" * 80_000
    head = b'<?xml version="1.0" encoding="UTF-8"?><sst ' + _MAIN + b">"
    strings = repeated("xl/sharedStrings.xml", block, 9_000_000 // 80_000 + 1, prefix=head)
    return workbook({"xl/sharedStrings.xml": strings})


def many_distinct_shared_strings() -> bytes:
    """300,000 distinct texts, packed as ordinary text packs (about ten to one): no ratio
    gives them away, only their count."""
    body = b"".join(b"<si><t>Journal of Studies %d</t></si>" % n for n in range(300_000))
    head = b'<?xml version="1.0" encoding="UTF-8"?><sst ' + _MAIN + b">"
    return workbook(
        {"xl/sharedStrings.xml": member("xl/sharedStrings.xml", head + body + b"</sst>")}
    )


def distinct_shared_strings_under_another_name() -> bytes:
    """The same, in a part whose name does not end in .xml (openpyxl finds it by its
    content type)."""
    renamed = []
    with zipfile.ZipFile(io.BytesIO(many_distinct_shared_strings())) as book:
        for name in book.namelist():
            content = book.read(name)
            if name == "[Content_Types].xml":
                content = content.replace(b"/xl/sharedStrings.xml", b"/xl/strings.dat")
            renamed.append(member(name.replace("sharedStrings.xml", "strings.dat"), content))
    return zip_of(renamed)


def long_shared_strings() -> bytes:
    """170,000 texts of 100 characters: 17 million characters."""
    body = b"".join(b"<si><t>%08d%s</t></si>" % (n, b"a" * 92) for n in range(170_000))
    head = b'<?xml version="1.0" encoding="UTF-8"?><sst ' + _MAIN + b">"
    return workbook(
        {"xl/sharedStrings.xml": member("xl/sharedStrings.xml", head + body + b"</sst>")}
    )


def hundred_thousand_parts() -> bytes:
    empty = member("x", b"")
    return workbook(
        extra=[Member(f"xl/p{n}.xml", empty.data, empty.crc, 0) for n in range(100_000)]
    )


def deep_ratio_part() -> bytes:
    """A 100 MB part of blanks in a workbook (under the bound on what it unpacks to)."""
    return workbook(extra=[repeated("xl/media/blank.xml", b" " * MIB, 100)])


def _sheet(rows: bytes) -> Member:
    head = (
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet ' + _MAIN + b">"
        b'<dimension ref="A1:XFD1048576"/><sheetData>'
    )
    return member("xl/worksheets/sheet1.xml", head + rows + b"</sheetData></worksheet>")


def sheet_of_every_row() -> bytes:
    """A sheet declaring every cell of a worksheet and holding 100,000 numbered rows."""
    rows = b"".join(
        b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>Journal %d</t></is></c></row>' % (n, n, n)
        for n in range(1, 100_001)
    )
    return workbook({"xl/worksheets/sheet1.xml": _sheet(rows)})


def sheet_of_the_last_column() -> bytes:
    rows = b'<row r="1"><c r="A1" t="inlineStr"><is><t>title</t></is></c><c r="XFD1"/></row>'
    return workbook({"xl/worksheets/sheet1.xml": _sheet(rows)})


def billion_laughs() -> bytes:
    strings = LAUGHS + b"<sst " + _MAIN + b"><si><t>&lol9;</t></si></sst>"
    return workbook({"xl/sharedStrings.xml": member("xl/sharedStrings.xml", strings)})


CASES: dict[str, tuple[Callable[[], bytes], int, str, str]] = {
    "nine-million-shared-strings": (
        nine_million_shared_strings,
        413,
        "entry_ratio",
        "xl/sharedStrings.xml unpacks to",
    ),
    "300,000-distinct-shared-strings": (
        many_distinct_shared_strings,
        422,
        "shared_strings",
        "more than 250,000 distinct texts (shared strings)",
    ),
    "300,000-shared-strings-in-a-part-not-named-xml": (
        distinct_shared_strings_under_another_name,
        422,
        "shared_strings",
        "more than 250,000 distinct texts (shared strings)",
    ),
    "17-million-characters-of-shared-strings": (
        long_shared_strings,
        422,
        "shared_string_chars",
        "texts hold more than 16,000,000 characters",
    ),
    "100,000-parts": (hundred_thousand_parts, 422, "zip_entries", "holds more than 1,000 files"),
    "a-part-packed-a-thousand-to-one": (
        deep_ratio_part,
        413,
        "entry_ratio",
        "xl/media/blank.xml unpacks to",
    ),
    "a-sheet-of-every-row": (sheet_of_every_row, 422, "rows", "more than 20,000 rows"),
    "a-sheet-reaching-column-XFD": (sheet_of_the_last_column, 422, "columns", "column XFD"),
    "billion-laughs": (billion_laughs, 422, "", "declares a DTD"),
}


@pytest.fixture(scope="module")
def licence_app(postgres_url: str, tmp_path_factory: Any, instance_dir: Any) -> Any:
    """One signed licence for every case: signing one is the slow part."""
    from tests.conftest import build_app, make_settings

    app = build_app(make_settings(postgres_url, tmp_path_factory.mktemp("bounds"), instance_dir))
    yield app, signed_licence(app)
    app.extensions["contractdesk"].close()


@pytest.mark.parametrize(("build", "status", "limit", "message"), CASES.values(), ids=CASES.keys())
def test_a_workbook_bomb_is_refused_within_a_second_naming_the_bound(
    licence_app: tuple[APIFlask, dict[str, Any]],
    build: Callable[[], bytes],
    status: int,
    limit: str,
    message: str,
) -> None:
    app, licence = licence_app
    runtime = app.extensions["contractdesk"]
    support = bearer(app, "support@example.com")
    body = build()
    counts = row_counts(runtime)

    with measured() as cost:
        answer = app.test_client().post(
            f"/api/v1/documents/{licence['id']}/title-lists?year=2027&filename=titles.xlsx",
            data=body,
            headers=support,
        )

    assert answer.status_code == status, answer.json
    assert answer.mimetype == "application/problem+json"
    assert message in answer.json["detail"]
    if limit:
        assert answer.json["limit"]["name"] == limit
        assert answer.json["limit"]["value"] > 0
    assert cost.seconds < 3
    assert cost.peak_mb < 50
    assert row_counts(runtime) == counts


def test_the_bombs_are_what_they_claim() -> None:
    """Small enough to upload, and each inflates to what its name says."""
    bombs = {name: build() for name, (build, *_) in CASES.items()}
    assert all(len(body) < 48 * MIB for body in bombs.values())
    assert len(bombs["nine-million-shared-strings"]) < 400 * 1024
    with (
        zipfile.ZipFile(io.BytesIO(bombs["nine-million-shared-strings"])) as book,
        book.open("xl/sharedStrings.xml") as part,
    ):
        count = sum(chunk.count(b"<si>") for chunk in iter(lambda: part.read(MIB), b""))
    assert count >= 9_000_000
    with zipfile.ZipFile(io.BytesIO(bombs["100,000-parts"])) as book:
        assert len(book.namelist()) > 100_000


def test_a_workbook_within_the_bounds_is_imported(
    licence_app: tuple[APIFlask, dict[str, Any]],
) -> None:
    app, licence = licence_app
    answer = app.test_client().post(
        f"/api/v1/documents/{licence['id']}/title-lists?year=2027&filename=titles.xlsx",
        data=workbook(),
        headers=bearer(app, "support@example.com"),
    )
    assert answer.status_code == 201, answer.json
