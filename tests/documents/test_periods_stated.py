"""Every quote states the subscription period it prices and its invoice period; every
licence states its invoice periods and how it is invoiced: on the PDF and the DOCX, in the
API and on the forms, in the document's or the user's language."""

from __future__ import annotations

import io
from datetime import date

from apiflask import APIFlask
from docx import Document as Docx
from pypdf import PdfReader

from tests.conftest import WAIT, account_id, bearer, csrf_token
from tests.support.flows import plain_quote_request, signed_licence
from tests.web.test_generated_forms import form_of
from tests.web.test_pages import login


def _pdf(data: bytes) -> str:
    return " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


def _docx(data: bytes) -> str:
    document = Docx(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return " ".join(" ".join(parts).split())


def _file(app: APIFlask, document_id: str, kind: str) -> bytes:
    answer = app.test_client().get(
        f"/api/v1/documents/{document_id}/files/{kind}", headers=bearer(app, "support@example.com")
    )
    assert answer.status_code == 200
    return bytes(answer.data)


def test_a_quote_states_the_subscription_period_it_prices(app: APIFlask) -> None:
    client = app.test_client()
    support = bearer(app, "support@example.com")
    body = plain_quote_request(
        app,
        language="nl",
        currency="EUR",
        subscription={"start": "2027-04-01", "end": "2028-03-31"},
    )
    quote = client.post("/api/v1/documents", json=body, headers={**support, **WAIT}).json
    assert quote["subscription_period"] == {"start": "2027-04-01", "end": "2028-03-31"}
    assert [
        (p["number"], p["start"], p["end"], p["invoice_on"], p["net"], p["total"])
        for p in quote["invoice_periods"]
    ] == [
        (
            1,
            "2027-04-01",
            "2028-03-31",
            "2027-04-01",
            quote["totals"]["net"],
            quote["totals"]["total"],
        )
    ]
    for text in (_pdf(_file(app, quote["id"], "pdf")), _docx(_file(app, quote["id"], "docx"))):
        assert "Abonnementsperiode 1 april 2027 – 31 maart 2028" in text.replace(":", "")
        assert (
            "Factuurperiode 1 april 2027 – 31 maart 2028, eenmalig vooraf gefactureerd"
            in text.replace(":", "")
        )

    # without one, a quote prices the calendar year of its prices: the year of issue
    plain = client.post(
        "/api/v1/documents", json=plain_quote_request(app), headers={**support, **WAIT}
    ).json
    year = date.today().year
    assert plain["subscription_period"] == {"start": f"{year}-01-01", "end": f"{year}-12-31"}
    assert f"Subscription period 1 January {year} – 31 December {year}" in _pdf(
        _file(app, plain["id"], "pdf")
    )


def test_the_quote_form_offers_the_subscription_period_in_dutch(app: APIFlask) -> None:
    support = login(app, "support@example.com")
    support.post(
        "/account/language",
        data={"csrf_token": csrf_token(support.get("/").text), "language": "nl", "next": "/"},
    )
    page = support.get("/documents/new")
    year = date.today().year
    fields = form_of(page.text)
    assert (fields["subscription-start"], fields["subscription-end"]) == (
        f"{year}-01-01",
        f"{year}-12-31",
    )
    assert "Abonnement vanaf" in page.text and "Abonnement tot en met" in page.text
    form = {
        **fields,
        "account": account_id(app.extensions["contractdesk"], "Consortium"),
        "currency": "EUR",  # its options name no value: a browser sends their text
        "lines-0-sku": "SVC-TDM",
        "subscription-start": "2028-07-01",
        "subscription-end": "2028-06-30",
        "action": "generate",
    }
    refused = support.post("/documents/new", data=form)
    assert refused.status_code == 422
    assert 'href="#subscription-end">Abonnement tot en met</a>' in refused.text

    created = support.post("/documents/new", data={**form, "subscription-end": "2029-06-30"})
    assert created.status_code == 302, created.text
    shown = " ".join(support.get(created.headers["Location"]).text.split())
    assert "abonnement 1 jul 2028 – 30 jun 2029" in shown
    document_id = created.headers["Location"].rsplit("/", 1)[-1]
    quote = (
        app.test_client()
        .get(f"/api/v1/documents/{document_id}", headers=bearer(app, "support@example.com"))
        .json
    )
    assert quote["subscription_period"] == {"start": "2028-07-01", "end": "2029-06-30"}


def test_a_licence_states_its_invoice_periods_and_how_it_is_invoiced(app: APIFlask) -> None:
    licence = signed_licence(
        app, term={"start": "2027-04-01", "years": 2}, invoice_periods="calendar-years"
    )
    assert licence["subscription_period"] == {"start": "2027-04-01", "end": "2029-03-31"}
    assert [(p["start"], p["end"]) for p in licence["invoice_periods"]] == [
        ("2027-04-01", "2027-12-31"),
        ("2028-01-01", "2028-12-31"),
        ("2029-01-01", "2029-03-31"),
    ]
    text = _pdf(_file(app, licence["id"], "pdf"))
    assert "Invoicing Annually in advance, by calendar year" in text
    assert "Invoice period 2: 1 January 2028 – 31 December 2028, invoiced on 1 January 2028" in text
    assert "Invoice period 3: 1 January 2029 – 31 March 2029, invoiced on 1 January 2029" in text

    dutch = signed_licence(app, language="nl")
    words = _docx(_file(app, dutch["id"], "docx"))
    assert "Facturering Jaarlijks vooraf, per contractjaar" in words
    assert (
        "Factuurperiode 2: 1 januari 2028 – 31 december 2028, gefactureerd op 1 januari 2028"
        in (words)
    )


def test_the_licence_form_lets_the_user_choose_how_it_is_invoiced(app: APIFlask) -> None:
    support = login(app, "support@example.com")
    support.post(
        "/account/language",
        data={"csrf_token": csrf_token(support.get("/").text), "language": "nl", "next": "/"},
    )
    page = support.get("/documents/new/licence-agreement?sample=1")
    assert "Factuurperioden" in page.text
    assert ">Contractjaren</option>" in page.text and ">Kalenderjaren</option>" in page.text
    fields = form_of(page.text)
    assert fields["invoice_periods"] == "contract-years"
    fields["account"] = account_id(app.extensions["contractdesk"], "Consortium")
    fields["invoice_periods"] = "calendar-years"
    fields["term.start"] = "2027-07-01"
    created = support.post("/documents/new/licence-agreement", data=fields)
    assert created.status_code == 302, created.text
    document_id = created.headers["Location"].rsplit("/", 1)[-1]
    licence = (
        app.test_client()
        .get(f"/api/v1/documents/{document_id}", headers=bearer(app, "support@example.com"))
        .json
    )
    assert [p["start"] for p in licence["invoice_periods"]][:2] == ["2027-07-01", "2028-01-01"]
