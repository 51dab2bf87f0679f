"""Point 7 of issue 27: a KBART list longer than a document holds (an e-book collection
of 100,000 titles) is checked a row at a time, kept as the year's list in KBART, and read
by the schedule and the year's KBART. Here the document's limit is lowered to 1,000 rows
so that 5,000 rows take the same path; bench.kbart_lists uploads 100,000."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from apiflask import APIFlask

from bench.kbart_lists import write_file
from tests.conftest import bearer, row_counts
from tests.hostile.bombs import measured
from tests.support.flows import signed_licence

ROWS = 5_000


@pytest.fixture(scope="module")
def large_app(postgres_url: str, tmp_path_factory: Any, instance_dir: Any) -> Any:
    from tests.conftest import build_app, make_settings

    settings = make_settings(
        postgres_url,
        tmp_path_factory.mktemp("large"),
        instance_dir,
        title_list_document_rows=1_000,
        title_list_max_rows=ROWS,
    )
    app = build_app(settings)
    yield app, signed_licence(app)
    app.extensions["contractdesk"].close()


@pytest.fixture(scope="module")
def kbart(tmp_path_factory: Any) -> bytes:
    path = Path(tmp_path_factory.mktemp("kbart")) / "Northfield_Global_Books_2027-01-01.txt"
    write_file(path, ROWS)
    return path.read_bytes()


def _data_lines(text: str) -> list[list[str]]:
    return [line.split("\t") for line in text.splitlines()[1:]]


def test_a_list_longer_than_a_document_is_kept_as_kbart_and_read_by_the_schedule(
    large_app: tuple[APIFlask, dict[str, Any]], kbart: bytes
) -> None:
    app, licence = large_app
    client = app.test_client()
    support = bearer(app, "support@example.com")
    base = f"/api/v1/documents/{licence['id']}"

    with measured() as cost:
        uploaded = client.post(
            f"{base}/title-lists?year=2028&filename=books.txt", data=kbart, headers=support
        )
    assert uploaded.status_code == 201, uploaded.json
    files = {kind for kind, url in uploaded.json["files"].items() if url}
    assert files == {"kbart"}  # no PDF or DOCX of a list this long
    assert cost.peak_mb < 150

    sent = _data_lines(kbart.decode())
    titles = len({row[0] for row in sent})
    lists = client.get(f"{base}/title-lists", headers=support).json["lists"]
    assert [(v["year"], v["count"], v["number"]) for v in lists] == [
        (2028, titles, uploaded.json["number"])
    ]

    schedule = client.get(f"{base}/title-schedule?year=2028", headers=support).json
    assert (schedule["source"], schedule["number"], schedule["count"]) == (
        "list",
        uploaded.json["number"],
        titles,
    )
    first = schedule["titles"][0]
    assert first["title"] == sent[0][0] and first["coverage"][0]["first_date"] == sent[0][3]

    exported = client.get(f"{base}/title-schedule.kbart?year=2028", headers=support)
    assert exported.status_code == 200
    rows = _data_lines(exported.data.decode())
    assert len(rows) == len(sent)  # a line per coverage range, as sent
    assert [r[:10] for r in rows] == [s[:10] for s in sent]
    stored = client.get(f"/api/v1/documents/{uploaded.json['id']}/files/kbart", headers=support)
    assert stored.status_code == 200 and stored.data == exported.data


def test_a_bad_row_in_a_long_list_is_named_and_nothing_is_kept(
    large_app: tuple[APIFlask, dict[str, Any]], kbart: bytes
) -> None:
    app, licence = large_app
    runtime = app.extensions["contractdesk"]
    support = bearer(app, "support@example.com")
    lines = kbart.decode().split("\n")
    cells = lines[2500].split("\t")
    cells[2] = "1234-5678"  # a wrong check digit
    lines[2500] = "\t".join(cells)
    before = row_counts(runtime)

    answer = app.test_client().post(
        f"/api/v1/documents/{licence['id']}/title-lists?year=2027&filename=books.txt",
        data="\n".join(lines).encode(),
        headers=support,
    )
    assert answer.status_code == 422, answer.json
    assert [e["pointer"] for e in answer.json["errors"]] == ["/file/rows/2501/online_identifier"]
    assert "1234-5678" in answer.json["errors"][0]["detail"]
    assert row_counts(runtime) == before

    too_long = kbart + kbart.split(b"\n", 1)[1]
    answer = app.test_client().post(
        f"/api/v1/documents/{licence['id']}/title-lists?year=2027&filename=books.txt",
        data=too_long,
        headers=support,
    )
    assert answer.status_code == 422
    assert f"more than {ROWS:,} rows" in answer.json["detail"] + str(answer.json["errors"])
    assert row_counts(runtime) == before
