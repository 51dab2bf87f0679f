"""Point 5 of issue 27: one schedule. A title added or removed by a signed amendment is
in (or out of) the year's schedule, the licence as amended and the year's KBART, CSV and
XLSX alike; a year with an uploaded list shows that list in all of them."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from apiflask import APIFlask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from pypdf import PdfReader

from app.config import PROJECT_ROOT
from tests.conftest import WAIT, bearer
from tests.support.flows import send_and_sign, signed_licence

SAMPLE = json.loads((PROJECT_ROOT / "contract_templates/licence-agreement/sample.json").read_text())
DROPPED = SAMPLE["titles"][0]
PHOTONICS = {
    "title": "Journal of Sample Photonics",
    "issn": "2049-3630",
    "eissn": "2049-3649",
    "subject": "Physics",
    "price": "1450.00",
}


def _kbart_titles(client: FlaskClient, base: str, year: int, headers: Any) -> set[str]:
    answer = client.get(f"{base}/title-schedule.kbart?year={year}", headers=headers)
    assert answer.status_code == 200, answer.data[:500]
    assert answer.mimetype == "text/tab-separated-values"
    name = answer.headers["Content-Disposition"]
    assert name.endswith('.txt"') and f"{year}" in name
    lines = answer.data.decode("utf-8").splitlines()
    assert lines[0].split("\t")[:3] == [
        "publication_title",
        "print_identifier",
        "online_identifier",
    ]
    return {line.split("\t")[0] for line in lines[1:]}


def _csv_titles(client: FlaskClient, base: str, year: int, headers: Any) -> set[str]:
    answer = client.get(f"{base}/title-schedule.csv?year={year}", headers=headers)
    assert answer.status_code == 200
    rows = list(csv.reader(io.StringIO(answer.data.decode("utf-8-sig"))))
    return {row[0] for row in rows[1:]}


def _xlsx_titles(client: FlaskClient, base: str, year: int, headers: Any) -> set[str]:
    answer = client.get(f"{base}/title-schedule.xlsx?year={year}", headers=headers)
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.data)).worksheets[0]
    return {str(row[0]) for row in sheet.iter_rows(min_row=2, values_only=True)}


def _as_amended(client: FlaskClient, base: str, headers: Any, year: int | None = None) -> Any:
    query = f"?year={year}" if year else ""
    answer = client.get(f"{base}/as-amended{query}", headers=headers)
    assert answer.status_code == 200, answer.json
    return answer.json


def _pdf_text(data: bytes) -> str:
    return " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


def test_an_amendments_titles_are_in_the_schedule_the_view_and_the_exports_alike(
    app: APIFlask,
) -> None:
    client = app.test_client()
    support = bearer(app, "support@example.com")
    licence = signed_licence(app)
    base = f"/api/v1/documents/{licence['id']}"
    amendment = client.post(
        f"{base}/amendments",
        json={
            "effective_date": "2028-03-01",
            "titles_added": [PHOTONICS],
            "titles_removed": [{"issn": DROPPED["issn"]}],
        },
        headers={**support, **WAIT},
    )
    assert amendment.status_code == 201, amendment.json
    send_and_sign(app, amendment.json["id"])

    for year, present, absent in (
        (2027, DROPPED["title"], PHOTONICS["title"]),
        (2028, PHOTONICS["title"], DROPPED["title"]),
    ):
        schedule = client.get(f"{base}/title-schedule?year={year}", headers=support).json
        scheduled = {t["title"] for t in schedule["titles"]}
        view = _as_amended(client, base, support, year)
        assert view["titles_in_force"]["year"] == year
        assert view["titles_in_force"]["source"] == "licence"
        shown = {t["title"] for t in view["titles"]}
        for found in (
            scheduled,
            shown,
            _kbart_titles(client, base, year, support),
            _csv_titles(client, base, year, support),
            _xlsx_titles(client, base, year, support),
        ):
            assert found == scheduled
            assert present in found and absent not in found

    later = _as_amended(client, base, support)  # after every signed amendment
    assert later["titles_in_force"]["year"] == 2028
    assert {t["title"] for t in later["titles"]} >= {PHOTONICS["title"]}
    added = {t["title"]: t["added_by"] for t in later["titles"]}
    assert added[PHOTONICS["title"]] == amendment.json["number"]
    assert [t["title"] for t in later["titles_removed"]] == [DROPPED["title"]]

    pdf = client.get(f"{base}/as-amended.pdf?year=2027", headers=support)
    assert pdf.status_code == 200
    text = _pdf_text(pdf.data)
    assert "Titles in force in 2027" in text
    titles = text.split("Titles in force in 2027", 1)[1]  # the fees name photonics from 2028
    assert DROPPED["title"] in titles and PHOTONICS["title"] not in titles

    assert client.get(f"{base}/as-amended?year=2031", headers=support).status_code == 404
    assert client.get(f"{base}/title-schedule.kbart?year=2031", headers=support).status_code == 404


def test_a_years_uploaded_list_is_what_the_view_and_the_exports_show(app: APIFlask) -> None:
    client = app.test_client()
    support = bearer(app, "support@example.com")
    licence = signed_licence(app)
    base = f"/api/v1/documents/{licence['id']}"
    body = "title,issn,price\r\nNature,0028-0836,999.00\r\nScience,0036-8075,990.00\r\n"
    uploaded = client.post(
        f"{base}/title-lists?year=2029&filename=t.csv", data=body.encode(), headers=support
    )
    assert uploaded.status_code == 201, uploaded.json

    view = _as_amended(client, base, support, 2029)
    assert view["titles_in_force"] == {
        "year": 2029,
        "source": "list",
        "number": uploaded.json["number"],
        "version": 1,
        "count": 2,
    }
    assert {t["title"] for t in view["titles"]} == {"Nature", "Science"}
    assert _kbart_titles(client, base, 2029, support) == {"Nature", "Science"}
    assert _kbart_titles(client, base, 2027, support) == {t["title"] for t in SAMPLE["titles"]}


def test_an_amendment_signed_after_a_years_list_changes_that_list_too(app: APIFlask) -> None:
    client = app.test_client()
    support = bearer(app, "support@example.com")
    licence = signed_licence(app)
    base = f"/api/v1/documents/{licence['id']}"
    rows = ["title,issn,eissn,price"] + [
        f"{t['title']},{t['issn']},{t['eissn']},{t['price']}" for t in SAMPLE["titles"]
    ]
    uploaded = client.post(
        f"{base}/title-lists?year=2028&filename=t.csv",
        data="\r\n".join(rows).encode(),
        headers=support,
    )
    assert uploaded.status_code == 201, uploaded.json
    amendment = client.post(
        f"{base}/amendments",
        json={
            "effective_date": "2028-03-01",
            "titles_added": [PHOTONICS],
            "titles_removed": [{"issn": DROPPED["issn"]}],
        },
        headers={**support, **WAIT},
    )
    assert amendment.status_code == 201, amendment.json
    send_and_sign(app, amendment.json["id"])

    schedule = client.get(f"{base}/title-schedule?year=2028", headers=support).json
    assert (schedule["source"], schedule["number"]) == ("list", uploaded.json["number"])
    assert schedule["amendments"] == [amendment.json["number"]]
    view = _as_amended(client, base, support, 2028)
    added = {t["title"]: t["added_by"] for t in view["titles"]}
    assert added[PHOTONICS["title"]] == amendment.json["number"]
    for found in (
        {t["title"] for t in schedule["titles"]},
        set(added),
        _kbart_titles(client, base, 2028, support),
    ):
        assert PHOTONICS["title"] in found and DROPPED["title"] not in found
    assert len(added) == len(SAMPLE["titles"])
