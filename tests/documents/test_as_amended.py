"""The licence as amended, read the way finance reconciles it: period by period, each
invoice period's lines and figures as the licence was signed plus what every signed
amendment changed, in the API, on the page and in the PDF and DOCX in the licence's
language."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from apiflask import APIFlask
from docx import Document as Docx
from pypdf import PdfReader

from tests.conftest import WAIT, bearer, csrf_token
from tests.support.flows import send_and_sign, signed_licence
from tests.web.test_pages import login

D = Decimal
LINES = [
    # the catalogue's EUR price of SVC-TDM is 3,500.00; 10 % off: 3,150.00
    {"sku": "SVC-TDM", "quantity": 1, "discount_percent": "10"},
    {"description": "Platform hosting", "unit_price": "547.85", "quantity": 1},
]
ANALYTICS = {
    "sku": "SVC-ANALYTICS",
    "description": "Usage Analytics Service",
    "unit_price": "2400.00",
    "discount_percent": "5",
}


def _text(pdf: bytes) -> str:
    return " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


def _docx_text(data: bytes) -> str:
    document = Docx(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return " ".join(" ".join(parts).split())


def _licence(app: APIFlask, **changes: Any) -> dict[str, Any]:
    licence = signed_licence(app, lines=LINES, tax_rate_percent="21", **changes)
    answer = app.test_client().get(
        f"/api/v1/documents/{licence['id']}", headers=bearer(app, "support@example.com")
    )
    return dict(answer.json)


def _charged_in(amendment: dict[str, Any], period: dict[str, Any]) -> Decimal:
    """What an amendment's lines charge in an invoice period of the view."""
    return sum(
        (
            D(line["amount"])
            for line in amendment["lines"]
            if period["start"] <= line["period_start"] <= period["end"]
        ),
        D(0),
    )


def test_the_view_charges_each_period_as_signed_plus_every_amendment(app: APIFlask) -> None:
    client = app.test_client()
    support = bearer(app, "support@example.com")
    licence = _licence(app)
    base = f"/api/v1/documents/{licence['id']}"
    signed = licence["invoice_periods"]
    assert signed[0]["net"] == "3697.85"  # 3,150.00 + 547.85, as the licence was signed

    view = client.get(f"{base}/as-amended", headers=support).json
    periods = view["periods"]
    assert [(p["number"], p["start"], p["end"], p["invoice_on"]) for p in periods] == [
        (s["number"], s["start"], s["end"], s["invoice_on"]) for s in signed
    ]
    assert [(p["net"], p["tax"], p["total"]) for p in periods] == [
        (s["net"], s["tax"], s["total"]) for s in signed
    ]
    first = {line["description"]: line for line in periods[0]["lines"]}
    catalogue = first["Text and Data Mining Access (annual)"]
    assert (catalogue["sku"], catalogue["unit_price"], catalogue["discount_percent"]) == (
        "SVC-TDM",
        "3500.00",
        "10",
    )
    assert catalogue["amount"] == "3150.00" and catalogue["source"] == licence["number"]
    assert periods[0]["original_net"] == "3697.85" and periods[0]["changes"] == []
    assert view["contract_value"] == str(sum(D(s["net"]) for s in signed))

    amendment = client.post(
        f"{base}/amendments",
        json={"effective_date": "2028-07-01", "products_added": [ANALYTICS]},
        headers={**support, **WAIT},
    ).json
    # 2,400.00 for the 184 days from 1 July 2028 (of 365): 1,209.86, less 5 %: 1,149.37;
    # in 2029 with the 3 % uplift: 2,472.00, less 5 %: 2,348.40
    charged = [(line["period_start"], line["amount"]) for line in amendment["lines"]]
    assert [(start, amount) for start, amount in charged if amount != "0.00"] == [
        ("2028-07-01", "1149.37"),
        ("2029-01-01", "2348.40"),
    ]
    send_and_sign(app, amendment["id"])

    view = client.get(f"{base}/as-amended", headers=support).json
    for period, before in zip(view["periods"], signed, strict=True):
        added = _charged_in(amendment, period)
        assert D(period["net"]) == D(before["net"]) + added, period["number"]
        assert period["original_net"] == before["net"]
        assert period["changes"] == (
            [{"amendment": amendment["number"], "net": str(added)}] if added else []
        )
        assert D(period["net"]) == sum(D(line["net"]) for line in period["lines"])
    second = {line["description"]: line for line in view["periods"][1]["lines"]}
    analytics = second["Usage Analytics Service"]
    assert (analytics["charged_start"], analytics["charged_end"]) == ("2028-07-01", "2028-12-31")
    assert analytics["source"] == amendment["number"] and analytics["amount"] == "1149.37"
    assert D(view["contract_value"]) == sum(D(s["net"]) for s in signed) + D("3497.77")
    assert view["original_value"] == str(sum(D(s["net"]) for s in signed))


def test_a_dutch_licence_is_read_as_amended_in_dutch(app: APIFlask) -> None:
    client = app.test_client()
    support = bearer(app, "support@example.com")
    licence = _licence(app, language="nl")
    base = f"/api/v1/documents/{licence['id']}"
    amendment = client.post(
        f"{base}/amendments",
        json={"effective_date": "2028-07-01", "products_added": [ANALYTICS]},
        headers={**support, **WAIT},
    ).json
    send_and_sign(app, amendment["id"])

    pdf = client.get(f"{base}/as-amended.pdf", headers=support)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = _text(pdf.data)
    assert f"{licence['number']} zoals gewijzigd" in text
    heading = "Factuurperiode 2: 1 januari 2028 – 31 december 2028, gefactureerd op 1 januari 2028"
    assert heading in text
    assert "€ 3.697,85" in text  # the first period's net, in Dutch
    assert "1 juli 2028 – 31 december 2028" in text  # the analytics service's days in 2028
    assert "as amended" not in text and "Invoice period" not in text

    docx = client.get(f"{base}/as-amended.docx", headers=support)
    assert docx.status_code == 200
    assert docx.mimetype == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    words = _docx_text(docx.data)
    assert f"{licence['number']} zoals gewijzigd" in words
    assert "Factuurperiode 2: 1 januari 2028 – 31 december 2028" in words
    assert "€ 3.697,85" in words and "Invoice period" not in words

    page = login(app, "support@example.com")
    page.post(
        "/account/language",
        data={"csrf_token": csrf_token(page.get("/").text), "language": "nl", "next": "/"},
    )
    html = " ".join(page.get(f"/documents/{licence['id']}/as-amended").text.split())
    assert "Factuurperiode 2" in html and "€ 3.697,85" in html
    assert f"/documents/{licence['id']}/as-amended.docx" in html
    assert f"/documents/{licence['id']}/as-amended.pdf" in html
    word = page.get(f"/documents/{licence['id']}/as-amended.docx")
    assert word.status_code == 200 and "zoals gewijzigd" in _docx_text(word.data)
