"""One schedule of titles per licence: a year without an uploaded list holds the
licence's own titles, a year with one holds its latest list; the comparison of two years
reads both, and names what moved between packages, also as CSV and XLSX."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

from apiflask import APIFlask
from openpyxl import load_workbook

from app.assembly.schemas import TitleIn
from app.config import PROJECT_ROOT
from app.titles.comparison import PackageMove, compare_titles
from tests.conftest import bearer
from tests.support.flows import signed_licence

SAMPLE = json.loads((PROJECT_ROOT / "contract_templates/licence-agreement/sample.json").read_text())
LICENSED = SAMPLE["titles"]


def test_a_title_in_another_package_is_moved_and_books_pair_by_isbn() -> None:
    before = [
        TitleIn(title="Nature", issn="0028-0836", package="Core"),
        TitleIn(title="A Book", isbn="9780306406157", package="Books", price="10"),
    ]
    after = [
        TitleIn(title="Nature", issn="0028-0836", package="Premium"),
        TitleIn(title="A Book, 2nd printing", isbn="9780306406157", package="Books", price="12"),
    ]
    result = compare_titles(before, after)
    assert result.moved == (PackageMove("Nature", "Core", "Premium"),)
    assert (result.added, result.removed) == ((), ())
    assert [(c.title, c.difference) for c in result.price_changed] == [
        ("A Book, 2nd printing", Decimal("2"))
    ]


def _list_2028() -> bytes:
    """The licence's titles, the first one dropped, the second moved to another package and
    the third repriced; and one new title."""
    rows = ["title,issn,eissn,package,price"]
    for n, t in enumerate(LICENSED[1:], start=1):
        package = "Premium" if n == 1 else ""
        price = "1500.00" if n == 2 else t["price"]
        rows.append(f"{t['title']},{t['issn']},{t['eissn']},{package},{price}")
    rows.append("Nature,0028-0836,1476-4687,,999.00")
    return "\r\n".join(rows).encode()


def test_the_schedule_and_the_comparison_read_the_licence_and_its_lists(app: APIFlask) -> None:
    client = app.test_client()
    support = bearer(app, "support@example.com")
    licence = signed_licence(app)
    base = f"/api/v1/documents/{licence['id']}"

    own = client.get(f"{base}/title-schedule?year=2027", headers=support)
    assert own.status_code == 200, own.json
    assert (own.json["source"], own.json["number"], own.json["version"]) == (
        "licence",
        licence["number"],
        0,
    )
    assert [t["title"] for t in own.json["titles"]] == sorted(
        (t["title"] for t in LICENSED), key=str.casefold
    )
    assert client.get(f"{base}/title-schedule?year=2031", headers=support).status_code == 404

    uploaded = client.post(
        f"{base}/title-lists?year=2028&filename=t.csv", data=_list_2028(), headers=support
    )
    assert uploaded.status_code == 201, uploaded.json
    listed = client.get(f"{base}/title-schedule?year=2028", headers=support).json
    assert (listed["source"], listed["number"], listed["version"]) == (
        "list",
        uploaded.json["number"],
        1,
    )

    compared = client.get(f"{base}/title-lists/compare?before=2027&after=2028", headers=support)
    assert compared.status_code == 200, compared.json
    view = compared.json
    assert view["before"]["source"] == "licence" and view["after"]["source"] == "list"
    assert [t["title"] for t in view["added"]] == ["Nature"]
    assert [t["title"] for t in view["removed"]] == [LICENSED[0]["title"]]
    assert view["moved"] == [{"title": LICENSED[1]["title"], "old": "", "new": "Premium"}]
    assert [(p["title"], p["new"]) for p in view["price_changed"]] == [
        (LICENSED[2]["title"], "1500.00")
    ]

    as_csv = client.get(f"{base}/title-lists/compare.csv?before=2027&after=2028", headers=support)
    assert as_csv.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert as_csv.status_code == 200
    rows = list(csv.reader(io.StringIO(as_csv.data.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Change", "Title"]
    assert sorted(r[0] for r in rows[1:]) == ["added", "moved", "price changed", "removed"]

    as_xlsx = client.get(f"{base}/title-lists/compare.xlsx?before=2027&after=2028", headers=support)
    sheet = load_workbook(io.BytesIO(as_xlsx.data)).worksheets[0]
    changed = [
        row for row in sheet.iter_rows(min_row=2, values_only=True) if row[0] == "price changed"
    ]
    assert changed[0][9] == 1500 and isinstance(changed[0][9], int | float)
    assert sheet.freeze_panes == "A2"
