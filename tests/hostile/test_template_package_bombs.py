"""Issue 10: a template package, or the DOCX inside it, that is a zip bomb is refused at
upload, quickly and in bounded memory, with a clear problem, and leaves nothing behind."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from apiflask import APIFlask

from app.config import PROJECT_ROOT
from tests.conftest import bearer, row_counts
from tests.hostile.bombs import GIB, Member, measured, member, zeros, zip_of

QUOTE = PROJECT_ROOT / "contract_templates" / "quote"


def _quote_members(docx: bytes | None = None) -> list[Member]:
    """The shipped quote package, its DOCX replaced when one is given."""
    files = {
        p.relative_to(QUOTE).as_posix(): p.read_bytes() for p in QUOTE.rglob("*") if p.is_file()
    }
    if docx is not None:
        files["quote.docx"] = docx
    return [member(name, content) for name, content in sorted(files.items())]


def _docx_bomb() -> bytes:
    """A DOCX whose document part inflates to 1 GiB of zeros."""
    with zipfile.ZipFile(QUOTE / "quote.docx") as real:
        parts = [
            member(name, real.read(name)) for name in real.namelist() if name != "word/document.xml"
        ]
    return zip_of([*parts, zeros("word/document.xml")])


def _docx_of_many_parts() -> bytes:
    return zip_of([member(f"word/media/p{n}.xml", b"<p/>") for n in range(5000)])


CASES = {
    "member-inflates-beyond-its-declared-size": (
        zip_of([zeros("quote.html", declared_size=1000)]),
        "the template package: quote.html cannot be unpacked",
    ),
    "member-declares-and-inflates-to-1-GiB": (
        zip_of([zeros("quote.html")]),
        "the template package unpacks to 1,073,741,824 bytes; the most accepted is "
        "41,943,040 bytes",
    ),
    "thousands-of-members": (
        zip_of([member(f"f{n}.css", b"") for n in range(5000)]),
        "the template package holds more than 100 files; at most 100 are allowed",
    ),
    "nested-zip": (
        zip_of([*_quote_members(), member("inner.zip", zip_of([zeros("bomb.html")]))]),
        "the template package: inner.zip unpacks to 415 times its packed size; at most 100",
    ),
    "docx-inflates-to-1-GiB": (
        zip_of(_quote_members(_docx_bomb())),
        "the template package's quote.docx unpacks to 1,07",
    ),
    "docx-of-5000-parts": (
        zip_of(_quote_members(_docx_of_many_parts())),
        "the template package's quote.docx holds more than 1,000 files; at most 1,000 are allowed",
    ),
}


@pytest.mark.parametrize(("archive", "message"), CASES.values(), ids=CASES.keys())
def test_a_zip_bomb_package_is_refused_quickly_in_bounded_memory_and_changes_nothing(
    app: APIFlask, archive: bytes, message: str
) -> None:
    runtime = app.extensions["contractdesk"]
    legal = bearer(app, "legal@example.com")
    cache: Path = runtime.settings.template_cache_dir
    cached = set(cache.iterdir()) if cache.exists() else set()
    counts = row_counts(runtime)

    with measured() as cost:
        answer = app.test_client().post(
            "/api/v1/templates",
            data=archive,
            headers={**legal, "Content-Type": "application/zip"},
        )

    assert answer.status_code == (413 if "unpacks to" in message else 422), answer.json
    assert answer.mimetype == "application/problem+json"
    assert message in answer.json["detail"]
    assert cost.seconds < 10
    assert cost.peak_mb < 100
    assert row_counts(runtime) == counts
    assert (set(cache.iterdir()) if cache.exists() else set()) == cached


def test_the_bombs_are_small_enough_to_be_uploaded_and_really_inflate() -> None:
    """The cases above pass the 2 MiB request limit and are what they claim to be."""
    assert all(len(archive) < 2 * 1024 * 1024 for archive, _ in CASES.values())
    with (
        zipfile.ZipFile(io.BytesIO(_docx_bomb())) as docx,
        docx.open("word/document.xml") as part,
    ):
        inflated = sum(len(chunk) for chunk in iter(lambda: part.read(64 * 1024 * 1024), b""))
    assert inflated == GIB
