"""Amending a signed licence mid-term and reading it "as amended", the way the support
desk and the customer's librarian would: the amendment's PDF, the consolidated view."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from typing import Any

from apiflask import APIFlask
from pypdf import PdfReader

from app.config import PROJECT_ROOT
from tests.conftest import account_id, bearer, row_counts
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
            headers=bearer(app, "support@example.com"),
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
        headers=support,
    )
    assert first.status_code == 201, first.json
    amendment = first.json
    assert amendment["number"].startswith("A-") and amendment["template"] == "amendment"
    # 1 July to 31 December 2027 is 184 days: 1,450 x 184/365 = 730.96 charged, and
    # the chemistry title's 1,285 x 184/365 = 647.78 credited
    assert amendment["totals"]["subtotal"] == str(D("730.96") - D("647.78"))

    text = _text(_file(app, amendment))
    assert licence["number"] in text
    assert "Journal of Sample Photonics" in text and "Annals of Sample Chemistry" in text
    assert "184/365 days, actual/365" in text
    assert "31 December 2030" in text
    assert "Journal of Applied Northfield Physics" not in text  # unchanged: not stated

    send_and_sign(app, amendment["id"])
    second = client.post(
        f"/api/v1/documents/{licence_id}/amendments",
        json={"effective_date": "2028-03-01", "titles_removed": [{"issn": "2049-3630"}]},
        headers=support,
    ).json
    assert second["totals"]["subtotal"] == "-1215.62"  # 1,450 x 306/365 credited
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
    assert view["amendment_charges"] == str(D("83.18") - D("1215.62"))

    pdf = client.get(f"/api/v1/documents/{licence_id}/as-amended.pdf", headers=support)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = _text(pdf.data)
    assert f"{licence['number']} as amended" in text
    assert "2027-01-01 to 2030-12-31 (originally to 2029-12-31)" in text
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
        headers=support,
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
        headers=support,
    )
    assert nothing.status_code == 422
    assert row_counts(runtime) == before


def test_only_a_signed_licence_is_amended(app: APIFlask) -> None:
    client = app.test_client()
    support = bearer(app, "support@example.com")
    sample = PROJECT_ROOT / "contract_templates/licence-agreement/sample.json"
    data = json.loads(sample.read_text())
    draft = client.post(
        "/api/v1/documents", json={"template": "licence-agreement", "data": data}, headers=support
    ).json
    answer = client.post(
        f"/api/v1/documents/{draft['id']}/amendments",
        json={"effective_date": "2027-07-01", "new_end_date": "2030-12-31"},
        headers=support,
    )
    assert answer.status_code == 409
    assert "only a signed one stands" in answer.json["detail"]
