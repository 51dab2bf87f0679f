"""Issue 21: a CSV is read whatever its line endings (CRLF, LF, a bare CR, mixed) and
with or without a UTF-8 BOM; a NUL byte or bytes that are not UTF-8 are refused naming
their line, and a field too long or a record too wide is refused naming the bound; a
refused file changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from apiflask import APIFlask

from app.batches.parsing import parse_csv
from app.titles.importing import read_titles
from tests.conftest import bearer, row_counts
from tests.hostile.bombs import measured

HEADER = "template,external_ref,data.currency,data.lines.0.sku"
ROWS = ("quote,OPP-1,EUR,JNL-PHYS", 'quote,"OPP-2, second",EUR,JNL-CHEM')
ENDINGS = {
    "crlf": ["\r\n"] * 3,
    "lf": ["\n"] * 3,
    "bare-cr": ["\r"] * 3,
    "mixed": ["\r", "\n", "\r\n"],
}


def _csv(endings: list[str], *, bom: bool = False) -> bytes:
    lines = [HEADER, *ROWS]
    text = "".join(line + end for line, end in zip(lines, endings, strict=True))
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode()


@pytest.mark.parametrize("bom", [False, True], ids=["no-bom", "bom"])
@pytest.mark.parametrize("endings", ENDINGS.values(), ids=ENDINGS.keys())
def test_a_batch_csv_reads_the_same_whatever_its_line_endings(
    endings: list[str], bom: bool
) -> None:
    rows = parse_csv(_csv(endings, bom=bom))
    assert [(r.row, r.request, r.problem) for r in rows] == [
        (1, {"template": "quote", "external_ref": "OPP-1", "data": _data("JNL-PHYS")}, ""),
        (2, {"template": "quote", "external_ref": "OPP-2, second", "data": _data("JNL-CHEM")}, ""),
    ]


def _data(sku: str) -> dict[str, Any]:
    return {"currency": "EUR", "lines": [{"sku": sku}]}


@pytest.mark.parametrize("endings", ENDINGS.values(), ids=ENDINGS.keys())
def test_a_title_list_csv_reads_the_same_whatever_its_line_endings(endings: list[str]) -> None:
    lines = ["title,issn", "Nature,0028-0836", "Science,0036-8075"]
    data = "".join(line + end for line, end in zip(lines, endings, strict=True)).encode()
    assert [t.title for t in read_titles(data, filename="t.csv")] == ["Nature", "Science"]


def test_a_batch_csv_with_bare_cr_line_endings_is_accepted(app: APIFlask) -> None:
    """The attack found from outside: this was a 500."""
    answer = app.test_client().post(
        "/api/v1/batches?filename=quotes.csv",
        data=_csv(ENDINGS["bare-cr"]),
        headers={**bearer(app, "support@example.com"), "Content-Type": "text/csv"},
    )
    assert answer.status_code == 202, answer.json
    assert answer.json["total"] == 2


_GOOD = f"{HEADER}\r\n{ROWS[0]}\r\n".encode()
REFUSED: dict[str, tuple[bytes, str, str]] = {
    "nul-byte": (_GOOD + b"quote,OPP\x00-3,EUR,JNL-PHYS\r\n", "NUL byte (line 3)", ""),
    "not-utf-8": (
        _GOOD.replace(b"\r\n", b"\r") + "quote,Überweisung,EUR,X\r".encode("latin-1"),
        "not UTF-8 text (line 3)",
        "",
    ),
    "a-field-of-a-megabyte": (
        _GOOD + b'quote,"' + b"x" * 1_000_000 + b'",EUR,JNL-PHYS\r\n',
        "line 3 has a field longer than 32,767 characters",
        "field_chars",
    ),
    "a-record-of-5000-fields": (
        _GOOD + b"quote" + b",x" * 5000 + b"\r\n",
        "line 3 has 5,001 fields; at most 1,000 are allowed",
        "columns",
    ),
    "a-header-of-5000-columns": (
        HEADER.encode() + b",c" * 5000 + b"\n",
        "line 1 has 5,004 fields",
        "columns",
    ),
}


@pytest.mark.parametrize(("body", "message", "limit"), REFUSED.values(), ids=REFUSED.keys())
def test_a_hostile_batch_csv_is_refused_naming_the_line_and_changes_nothing(
    app: APIFlask, body: bytes, message: str, limit: str
) -> None:
    runtime = app.extensions["contractdesk"]
    support = bearer(app, "support@example.com")
    counts = row_counts(runtime)

    with measured() as cost:
        answer = app.test_client().post(
            "/api/v1/batches?filename=quotes.csv",
            data=body,
            headers={**support, "Content-Type": "text/csv"},
        )

    assert answer.status_code == 422, answer.json
    assert answer.mimetype == "application/problem+json"
    assert message in answer.json["detail"]
    if limit:
        assert answer.json["limit"] == {
            "name": limit,
            "value": 32_767 if limit == "field_chars" else 1_000,
            "setting": f"CONTRACTDESK_UPLOAD_MAX_{limit.upper()}",
        }
    assert cost.seconds < 3
    assert cost.peak_mb < 50
    assert row_counts(runtime) == counts


def test_json_lines_with_a_nul_byte_are_refused_naming_the_line(app: APIFlask) -> None:
    answer = app.test_client().post(
        "/api/v1/batches?filename=quotes.jsonl",
        data=b'{"template": "quote"}\n{"template": "qu\x00ote"}\n',
        headers={**bearer(app, "support@example.com"), "Content-Type": "application/jsonl"},
    )
    assert answer.status_code == 422, answer.json
    assert "NUL byte (line 2)" in answer.json["detail"]


def test_a_long_kbart_list_with_a_nul_byte_or_a_long_field_is_refused_naming_the_line() -> None:
    from app.titles.importing import TitleImportError
    from app.titles.long_lists import check_long_kbart
    from app.uploads.limits import UploadOverLimit

    head = b"publication_title\tprint_identifier\r"
    with pytest.raises(TitleImportError) as caught:
        check_long_kbart(head + b"Nature\t\x00\r", publisher="P", max_rows=10, keep_good=False)
    assert "NUL byte (line 2)" in caught.value.problems[0].reason
    with pytest.raises(UploadOverLimit) as over:
        check_long_kbart(
            head + b"N" * 40_000 + b"\t\r", publisher="P", max_rows=10, keep_good=False
        )
    assert over.value.detail == "line 2 has a field longer than 32,767 characters"
