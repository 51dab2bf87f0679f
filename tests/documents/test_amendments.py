"""Amending a signed licence mid-term and reading it "as amended", the way the support
desk and the customer's librarian would: the amendment's PDF, the consolidated view."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from typing import Any

from apiflask import APIFlask
from pypdf import PdfReader
from sqlalchemy import select

from app.catalogue.models import Product
from app.config import PROJECT_ROOT
from tests.conftest import WAIT, account_id, bearer, row_counts
from tests.support.flows import send_and_sign

D = Decimal
PHYSICS = {"title": "Journal of Applied Northfield Physics", "issn": "1000-0003"}
CHEMISTRY = {"title": "Annals of Sample Chemistry", "issn": "1037-0536"}
PHOTONICS = {
    "title": "Journal of Sample Photonics",
    "issn": "2049-3630",
    "eissn": "2049-3649",
    "subject": "Physics",
    "price": "1450.00",
}


def _text(pdf: bytes) -> str:
    return " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


def _signed_licence(app: APIFlask) -> str:
    sample = PROJECT_ROOT / "contract_templates/licence-agreement/sample.json"
    data: dict[str, Any] = json.loads(sample.read_text())
    data["account"] = account_id(app.extensions["contractdesk"], "Consortium")
    data["titles"] = data["titles"][:3]
    created = (
        app.test_client()
        .post(
            "/api/v1/documents",
            json={"template": "licence-agreement", "data": data, "external_ref": "OPP-9"},
            headers={**bearer(app, "support@example.com"), **WAIT},
        )
        .json
    )
    assert created["status"] == "draft", created
    send_and_sign(app, created["id"])
    return str(created["id"])


def _file(app: APIFlask, document: dict[str, Any], kind: str = "pdf") -> bytes:
    answer = app.test_client().get(
        f"/api/v1/documents/{document['id']}/files/{kind}",
        headers=bearer(app, "support@example.com"),
    )
    assert answer.status_code == 200
    return bytes(answer.data)


def _lines(document: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(description, invoice period start, amount) of each line the amendment charges."""
    return [
        (line["description"], line["period_start"], line["amount"]) for line in document["lines"]
    ]


def test_an_amendment_states_only_the_changes_with_part_year_fees(app: APIFlask) -> None:
    client = app.test_client()
    support = bearer(app, "support@example.com")
    licence_id = _signed_licence(app)
    licence = client.get(f"/api/v1/documents/{licence_id}", headers=support).json

    first = client.post(
        f"/api/v1/documents/{licence_id}/amendments",
        json={
            "effective_date": "2027-07-01",
            "titles_added": [PHOTONICS],
            "titles_removed": [{"issn": CHEMISTRY["issn"]}],
            "new_end_date": "2030-12-31",
        },
        headers={**support, **WAIT},
    )
    assert first.status_code == 201, first.json
    amendment = first.json
    assert amendment["number"].startswith("A-") and amendment["template"] == "amendment"
    # Each change runs from 1 July 2027 to the new end of the term, year by year with the
    # licence's 3 % uplift: the rest of 2027 is 184 days of 365, so photonics costs
    # 1,450 x 184/365 = 730.96, then 1,493.50, 1,538.31 and 1,584.46; the chemistry
    # title (1,285 a year, part of the licence's fees) is credited likewise; the added
    # year 2030 costs what year 3 cost with the uplift: 20,215.45 + 10,490.18 less 5 %.
    photonics = ["730.96", "1493.50", "1538.31", "1584.46"]
    chemistry = ["-647.78", "-1323.55", "-1363.26", "-1404.16"]
    years = ["2027-07-01", "2028-01-01", "2029-01-01", "2030-01-01"]
    changes = [
        (title, start, amount)
        for start, added, removed in zip(years, photonics, chemistry, strict=True)
        for title, amount in (
            ("Journal of Sample Photonics", added),
            ("Annals of Sample Chemistry", removed),
        )
    ]
    assert _lines(amendment) == [
        *changes[:6],
        ("Physics & Astronomy Journals Collection, online access", "2030-01-01", "20215.45"),
        ("Engineering E-book Collection, annual subscription", "2030-01-01", "9965.67"),
        *changes[6:],
    ]
    assert amendment["totals"]["subtotal"] == "30789.60"

    text = _text(_file(app, amendment))
    assert licence["number"] in text
    assert "Journal of Sample Photonics" in text and "Annals of Sample Chemistry" in text
    assert "1 July 2027 – 31 December 2027" in text
    assert "31 December 2030" in text
    assert "Journal of Applied Northfield Physics" not in text  # unchanged: not stated

    send_and_sign(app, amendment["id"])
    second = client.post(
        f"/api/v1/documents/{licence_id}/amendments",
        json={"effective_date": "2028-03-01", "titles_removed": [{"issn": "2049-3630"}]},
        headers={**support, **WAIT},
    ).json
    # photonics ends on 29 February 2028: 1,493.50 x 60/365 = 245.51 is kept of 2028
    assert _lines(second) == [
        ("Journal of Sample Photonics", "2028-03-01", "-1247.99"),
        ("Journal of Sample Photonics", "2029-01-01", "-1538.31"),
        ("Journal of Sample Photonics", "2030-01-01", "-1584.46"),
    ]
    assert second["totals"]["subtotal"] == "-4370.76"
    assert amendment["number"] in _text(_file(app, second))  # names the earlier amendment

    view = client.get(f"/api/v1/documents/{licence_id}/as-amended", headers=support).json
    titles = {t["title"]: t for t in view["titles"]}
    assert set(titles) == {
        "Journal of Applied Northfield Physics",
        "Materials Letters of the North Sea",
        "Journal of Sample Photonics",
    }
    assert titles["Journal of Sample Photonics"]["added_by"] == amendment["number"]
    assert view["licence"]["end"] == "2030-12-31"
    assert view["licence"]["original_end"] == "2029-12-31"
    assert [a["number"] for a in view["amendments"]] == [amendment["number"]]

    send_and_sign(app, second["id"])
    view = client.get(f"/api/v1/documents/{licence_id}/as-amended", headers=support).json
    assert "Journal of Sample Photonics" not in {t["title"] for t in view["titles"]}
    assert [a["number"] for a in view["amendments"]] == [amendment["number"], second["number"]]
    # what the contract is worth now: as signed, plus what each amendment charged
    assert D(view["original_value"]) == D(licence["totals"]["net"])
    assert D(view["contract_value"]) == D(licence["totals"]["net"]) + D("30789.60") - D("4370.76")

    pdf = client.get(f"/api/v1/documents/{licence_id}/as-amended.pdf", headers=support)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = _text(pdf.data)
    assert f"{licence['number']} as amended" in text
    assert "1 January 2027 to 31 December 2030 (originally to 31 December 2029)" in text
    assert "Invoice period 4: 1 January 2030 – 31 December 2030, invoiced on 1 January 2030" in text
    assert "Materials Letters of the North Sea" in text
    assert "Journal of Sample Photonics" in text  # under the titles removed


def test_an_amendment_that_does_not_fit_the_licence_is_refused(app: APIFlask) -> None:
    client = app.test_client()
    support = bearer(app, "support@example.com")
    licence_id = _signed_licence(app)
    runtime = app.extensions["contractdesk"]
    before = row_counts(runtime)
    answer = client.post(
        f"/api/v1/documents/{licence_id}/amendments",
        json={
            "effective_date": "2031-01-01",
            "titles_added": [{**PHYSICS, "subject": "Physics"}],
            "titles_removed": [{"issn": "2049-3630"}],
            "new_end_date": "2028-12-31",
        },
        headers={**support, **WAIT},
    )
    assert answer.status_code == 422
    assert {e["pointer"]: e["detail"] for e in answer.json["errors"]} == {
        "/effective_date": "the licence runs from 2027-01-01 to 2029-12-31",
        "/titles_removed/0": "not licensed now",
        "/titles_added/0": "already licensed",
        "/new_end_date": "the term already runs to 2029-12-31",
    }
    nothing = client.post(
        f"/api/v1/documents/{licence_id}/amendments",
        json={"effective_date": "2027-07-01"},
        headers={**support, **WAIT},
    )
    assert nothing.status_code == 422
    assert row_counts(runtime) == before


def test_only_a_signed_licence_is_amended(app: APIFlask) -> None:
    client = app.test_client()
    support = bearer(app, "support@example.com")
    sample = PROJECT_ROOT / "contract_templates/licence-agreement/sample.json"
    data = json.loads(sample.read_text())
    draft = client.post(
        "/api/v1/documents",
        json={"template": "licence-agreement", "data": data},
        headers={**support, **WAIT},
    ).json
    answer = client.post(
        f"/api/v1/documents/{draft['id']}/amendments",
        json={"effective_date": "2027-07-01", "new_end_date": "2030-12-31"},
        headers={**support, **WAIT},
    )
    assert answer.status_code == 409
    assert "only a signed one stands" in answer.json["detail"]


def test_a_catalogue_fee_on_an_amendment_takes_its_list_price(app: APIFlask) -> None:
    client = app.test_client()
    support = bearer(app, "support@example.com")
    licence_id = _signed_licence(app)
    runtime = app.extensions["contractdesk"]
    with runtime.unit_of_work() as uow:
        product = uow.session.scalar(select(Product).where(Product.sku == "JNL-CHEM"))
        assert product is not None
        listed = product.price_in("EUR", 2027)
    answer = client.post(
        f"/api/v1/documents/{licence_id}/amendments",
        json={"effective_date": "2027-07-01", "lines": [{"sku": "JNL-CHEM", "quantity": 1}]},
        headers={**support, **WAIT},
    )
    assert answer.status_code == 201, answer.json
    [line] = answer.json["lines"]
    assert (line["description"], line["amount"]) == (
        "Chemistry Journals Collection",
        str(listed.quantize(D("0.01"))),
    )
    before = row_counts(runtime)
    unknown = client.post(
        f"/api/v1/documents/{licence_id}/amendments",
        json={"effective_date": "2027-07-01", "lines": [{"sku": "NO-SUCH", "quantity": 1}]},
        headers={**support, **WAIT},
    )
    assert unknown.status_code == 422
    assert row_counts(runtime) == before
