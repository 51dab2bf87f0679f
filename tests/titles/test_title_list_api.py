"""A licence's title lists through the API, as a support desk and a subscription agent
use them: upload a year's list, read every export, compare two years."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path

from apiflask import APIFlask
from openpyxl import Workbook

from tests.conftest import bearer, row_counts
from tests.support.flows import signed_licence

CSV_2027 = (
    "Title,ISSN,eISSN,Subject,Price\r\n"
    "Nature,0028-0836,1476-4687,Science,1200.00\r\n"
    "Science,0036-8075,1095-9203,Science,990.00\r\n"
    "Physical Review Letters,0031-9007,,Physics,750.00\r\n"
)


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in [["title", "issn", "eissn", "subject", "price"], *rows]:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _pdf_text(data: bytes) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "list.pdf"
        path.write_bytes(data)
        return subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout


def test_a_years_list_is_imported_versioned_exported_and_compared(app: APIFlask) -> None:
    client = app.test_client()
    support = bearer(app, "support@example.com")
    licence = signed_licence(app)
    url = f"/api/v1/documents/{licence['id']}/title-lists"

    first = client.post(
        f"{url}?year=2027&filename=titles.csv", data=CSV_2027.encode(), headers=support
    )
    assert first.status_code == 201, first.json
    listed = first.json
    assert listed["number"].startswith("T-")
    assert set(listed["files"]) >= {"pdf", "docx", "xlsx", "csv", "kbart"}

    kbart = client.get(listed["files"]["kbart"], headers=support)
    seller = "".join(c for c in app.extensions["contractdesk"].settings.seller_name if c.isalnum())
    number = listed["number"].replace("-", "")
    assert re.fullmatch(
        rf'attachment; filename="{seller}_[A-Za-z0-9]+_{number}v1_\d{{4}}-\d\d-\d\d\.txt"',
        kbart.headers["Content-Disposition"],
    ), kbart.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(kbart.data.decode("utf-8")), delimiter="\t"))
    assert rows[0][:3] == ["publication_title", "print_identifier", "online_identifier"]
    assert rows[0][24] == "access_type" and rows[0][25:] == ["subject", "price"]
    assert rows[1][:3] == ["Nature", "0028-0836", "1476-4687"]
    assert (
        rows[1][rows[0].index("publisher_name")]
        == app.extensions["contractdesk"].settings.seller_name
    )
    assert len(rows) == 4

    text = _pdf_text(client.get(listed["files"]["pdf"], headers=support).data)
    assert licence["number"] in text and "Physical Review Letters" in text

    # the same year again is a second version; 2028 comes as a spreadsheet
    again = client.post(
        f"{url}?year=2027&filename=titles.csv",
        data=CSV_2027.replace("990.00", "1000.00").encode(),
        headers=support,
    )
    assert again.status_code == 201
    xlsx = _xlsx(
        [
            ["Nature", "0028-0836", "1476-4687", "Science", 1260],
            ["Science", "0036-8075", "1095-9203", "Science", "1000.00"],
            ["American Journal of Physics", "0002-9505", None, "Physics", 410.5],
        ]
    )
    third = client.post(f"{url}?year=2028&filename=titles-2028.xlsx", data=xlsx, headers=support)
    assert third.status_code == 201, third.json
    versions = client.get(url, headers=support).json["lists"]
    assert [(v["year"], v["version"], v["count"]) for v in versions] == [
        (2027, 1, 3),
        (2027, 2, 3),
        (2028, 1, 3),
    ]

    compared = client.get(f"{url}/compare?before=2027&after=2028", headers=support).json
    assert compared["before"]["version"] == 2  # the latest list of the year
    assert [t["title"] for t in compared["added"]] == ["American Journal of Physics"]
    assert [t["title"] for t in compared["removed"]] == ["Physical Review Letters"]
    assert compared["price_changed"] == [
        {"title": "Nature", "old": "1200.00", "new": "1260", "difference": "60.00"}
    ]
    assert compared["unchanged"] == 1
    pdf = client.get(f"{url}/compare.pdf?before=2027&after=2028", headers=support)
    assert pdf.status_code == 200
    text = _pdf_text(pdf.data)
    assert "Title list 2027 → 2028" in text and "American Journal of Physics" in text


def test_a_bad_file_is_answered_row_by_row_and_imports_nothing(app: APIFlask) -> None:
    client = app.test_client()
    support = bearer(app, "support@example.com")
    licence = signed_licence(app)
    runtime = app.extensions["contractdesk"]
    before = row_counts(runtime)
    bad = (
        "title;issn;price\r\n"
        "Nature;0028-0836;12.50\r\n"
        ";0036-8075;10\r\n"
        "Broken;0028-0837;-5\r\n"
        '=HYPERLINK("http://x");0028-0836;1\r\n'
    )
    answer = client.post(
        f"/api/v1/documents/{licence['id']}/title-lists?year=2027&filename=t.csv",
        data=bad.encode(),
        headers=support,
    )
    assert answer.status_code == 422
    details = [e["detail"] for e in answer.json["errors"]]
    assert any(d.startswith("row 3, title:") for d in details), details
    assert any(d.startswith("row 4, issn:") and "0028-0837" in d for d in details), details
    assert any(d.startswith("row 4, price:") for d in details), details
    assert any(d.startswith("row 5, issn:") and "row 2" in d for d in details), details
    assert row_counts(runtime) == before

    not_a_sheet = client.post(
        f"/api/v1/documents/{licence['id']}/title-lists?year=2027&filename=t.pdf",
        data=b"%PDF-1.7",
        headers=support,
    )
    assert not_a_sheet.status_code == 422
    assert "is not a KBART, CSV or XLSX file" in not_a_sheet.json["detail"]
    assert row_counts(runtime) == before


def test_a_title_that_looks_like_a_formula_stays_text_in_the_exports(app: APIFlask) -> None:
    client = app.test_client()
    support = bearer(app, "support@example.com")
    licence = signed_licence(app)
    upload = 'title,issn\r\n"=HYPERLINK(""http://evil"")",0028-0836\r\n'
    listed = client.post(
        f"/api/v1/documents/{licence['id']}/title-lists?year=2027&filename=t.csv",
        data=upload.encode(),
        headers=support,
    ).json
    exported = client.get(listed["files"]["csv"], headers=support).data.decode("utf-8-sig")
    assert "'=HYPERLINK" in exported


def test_a_year_outside_the_licence_term_is_refused_and_stores_nothing(app: APIFlask) -> None:
    client = app.test_client()
    support = bearer(app, "support@example.com")
    licence = signed_licence(app)  # 2027 to 2029
    runtime = app.extensions["contractdesk"]
    before = row_counts(runtime)
    answer = client.post(
        f"/api/v1/documents/{licence['id']}/title-lists?year=2031&filename=t.csv",
        data=CSV_2027.encode(),
        headers=support,
    )
    assert answer.status_code == 422
    assert "2031 is outside licence" in answer.json["detail"]
    assert answer.json["errors"][0]["pointer"] == "/year"
    assert row_counts(runtime) == before


def test_the_good_rows_are_imported_on_request_and_the_bad_ones_returned(app: APIFlask) -> None:
    client = app.test_client()
    support = bearer(app, "support@example.com")
    licence = signed_licence(app)
    url = f"/api/v1/documents/{licence['id']}/title-lists?year=2027&filename=t.csv"
    upload = CSV_2027 + "Broken,0028-0837,,Physics,10\r\nScience Again,0036-8075,,,1\r\n"
    refused = client.post(url, data=upload.encode(), headers=support)
    assert refused.status_code == 422
    details = [e["detail"] for e in refused.json["errors"]]
    assert details[0].startswith("row 5, ISSN: '0028-0837' is not a valid ISSN")
    assert details[0].endswith("(given: 0028-0837)")
    assert details[1] == "row 6, ISSN: ISSN 0036-8075 is also in row 3 (ISSN) (given: 0036-8075)"

    taken = client.post(url + "&skip_bad_rows=true", data=upload.encode(), headers=support)
    assert taken.status_code == 201, taken.json
    assert [(r["row"], r["column"], r["value"]) for r in taken.json["skipped_rows"]] == [
        (5, "ISSN", "0028-0837"),
        (6, "ISSN", "0036-8075"),
    ]
    versions = client.get(f"/api/v1/documents/{licence['id']}/title-lists", headers=support)
    assert [v["count"] for v in versions.json["lists"]] == [3]


def test_every_export_uploaded_again_is_the_same_list(app: APIFlask) -> None:
    from tests.titles.test_kbart_import import BOOK, NATURE_1, NATURE_2, SCIENCE, kbart

    client = app.test_client()
    support = bearer(app, "support@example.com")
    licence = signed_licence(app)
    url = f"/api/v1/documents/{licence['id']}/title-lists"
    priced = {"price": "1200.00"}
    given = kbart(
        {**NATURE_1, **priced}, {**NATURE_2, **priced}, SCIENCE, BOOK, extra=("price",)
    ).encode()
    first = client.post(f"{url}?year=2027&filename=list.txt", data=given, headers=support)
    assert first.status_code == 201, first.json
    for kind, name in (("kbart", "again.txt"), ("csv", "again.csv"), ("xlsx", "again.xlsx")):
        exported = client.get(first.json["files"][kind], headers=support).data
        again = client.post(f"{url}?year=2028&filename={name}", data=exported, headers=support)
        assert again.status_code == 201, (kind, again.json)
        compared = client.get(f"{url}/compare?before=2027&after=2028", headers=support).json
        assert (compared["before"]["count"], compared["after"]["count"]) == (3, 3), kind
        assert compared["added"] == compared["removed"] == compared["moved"] == [], kind
        assert (compared["price_changed"], compared["unchanged"]) == ([], 3), kind
        schedule = client.get(
            f"/api/v1/documents/{licence['id']}/title-schedule?year=2028", headers=support
        ).json
        nature = next(t for t in schedule["titles"] if t["title"] == "Nature")
        assert [c.get("first_date") for c in nature["coverage"]] == ["1869-11-04", "1997"], kind
        assert nature["issn"] == "0028-0836", kind
        assert Decimal(nature["price"]) == Decimal("1200.00"), kind  # a number in the XLSX


def test_a_licences_schedule_files_are_headed_in_its_language_and_read_back(
    app: APIFlask,
) -> None:
    client = app.test_client()
    support = bearer(app, "support@example.com")
    licence = signed_licence(app, language="nl")
    base = f"/api/v1/documents/{licence['id']}"
    wiley = Path(__file__).parent / "files" / "Wiley_Global_AllJournals_2027-01-01.txt"
    first = client.post(
        f"{base}/title-lists?year=2027&filename={wiley.name}",
        data=wiley.read_bytes(),
        headers=support,
    )
    assert first.status_code == 201, first.json
    given = client.get(f"{base}/title-schedule?year=2027", headers=support).json["titles"]
    for kind, year in (("csv", 2028), ("xlsx", 2029)):
        exported = client.get(f"{base}/title-schedule.{kind}?year=2027", headers=support).data
        if kind == "csv":
            header = exported.decode("utf-8-sig").split("\r\n", 1)[0]
            assert header.startswith("Titel,ISSN,e-ISSN,"), header
            assert ",Prijs (EUR),title_id," in header, header
        again = client.post(
            f"{base}/title-lists?year={year}&filename=again.{kind}", data=exported, headers=support
        )
        assert again.status_code == 201, (kind, again.json)
        back = client.get(f"{base}/title-schedule?year={year}", headers=support).json["titles"]
        assert back == given, kind
