"""One quote's totals read as a seller and a customer read them: the form's live totals, the
document's page and the PDF each show subtotal, discount, net (after discount, before tax),
the tax of each rate on its net and the gross total, with the same figures."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from html import unescape

from apiflask import APIFlask
from flask.testing import FlaskClient
from pypdf import PdfReader

from tests.conftest import account_id, bearer, csrf_token
from tests.web.test_form_errors import quote_form, shown, sign_in

FIGURES = ("subtotal", "discount", "net", "tax", "total")


def amounts(text: str) -> list[Decimal]:
    """Every money amount in a text, in order (£1,234.50 and 1.234,50 € alike)."""
    found = []
    for raw in re.findall(r"-?\d{1,3}(?:[.,\u00a0 ]\d{3})*[.,]\d{2}(?!\d)", text):
        digits = re.sub(r"[^\d]", "", raw)
        found.append(Decimal(digits[:-2] + "." + digits[-2:]))
    return found


def bands_in(text: str) -> list[tuple[str, Decimal, Decimal]]:
    """Each "Tax 20 % on £2,280.00 £456.00" of a text: the rate, its net and its tax."""
    found = re.findall(r"Tax (\d+(?:\.\d+)?) % on (£[\d,]+\.\d\d)\s*(£[\d,]+\.\d\d)", text)
    return [(rate, amounts(net)[0], amounts(tax)[0]) for rate, net, tax in found]


def figures_after(text: str, labels: dict[str, str]) -> dict[str, Decimal]:
    """The amount that follows each label in a text."""
    out = {}
    for key, label in labels.items():
        at = text.index(label)
        out[key] = amounts(text[at + len(label) :])[0]
    return out


def test_the_form_the_page_and_the_pdf_show_the_same_totals(
    app: APIFlask, client: FlaskClient
) -> None:
    sign_in(client, "support@example.com")
    # A British university: journals and e-books are zero-rated in the UK, the analytics
    # service takes the standard 20 %.
    form = quote_form(
        client,
        account=account_id(app.extensions["contractdesk"], "University"),
        currency="GBP",
        discount_percent="5",
        **{
            "lines-0-discount_percent": "3",
            "lines-1-sku": "EBK-ENG-2026",
            "lines-1-quantity": "2",
            "lines-2-sku": "SVC-ANALYTICS",
            "lines-2-quantity": "1",
            "lines-2-discount_percent": "0",
        },
    )
    live = client.post(
        "/documents/new/totals", data=form, headers={"X-CSRFToken": form["csrf_token"]}
    )
    created = client.post("/documents/new", data=form)
    assert created.status_code == 302
    document_id = created.headers["Location"].rsplit("/", 1)[-1]
    app.extensions["contractdesk"].jobs.wait_idle()  # the files render after the request
    record = client.get(
        f"/api/v1/documents/{document_id}", headers=bearer(app, "support@example.com")
    ).json["totals"]
    expected = {key: Decimal(record[key]) for key in FIGURES}
    assert expected["net"] == expected["subtotal"] - expected["discount"] > 0
    assert expected["total"] == expected["net"] + expected["tax"]

    labels = {
        "subtotal": "Subtotal",
        "discount": "Discount (5 %)",
        "net": "Net (after discount, before tax)",
        "total": "Total (gross)",
    }
    live_text = unescape(shown(live.text))
    bands = bands_in(live_text)
    assert [rate for rate, _, _ in bands] == ["20", "0"]
    assert sum(net for _, net, _ in bands) == expected["net"]
    assert sum(tax for _, _, tax in bands) == expected["tax"] > 0
    assert bands[0][2] == (bands[0][1] * Decimal("0.2")).quantize(Decimal("0.01"))
    figures = {k: v for k, v in expected.items() if k != "tax"}
    assert figures_after(live_text, labels) == figures
    page = unescape(shown(client.get(f"/documents/{document_id}").text))
    assert figures_after(page, labels) == figures
    assert bands_in(page) == bands

    text = "\n".join(
        p.extract_text() for p in PdfReader(io.BytesIO(pdf_of(client, document_id))).pages
    )
    pdf_labels = {
        "subtotal": "Subtotal",
        "discount": "Discount (5 %)",
        "net": "Net",
        "total": "Total",
    }
    totals_part = text[text.rindex("Subtotal") :]
    assert figures_after(totals_part, pdf_labels) == figures
    assert bands_in(totals_part) == bands


def pdf_of(client: FlaskClient, document_id: str) -> bytes:
    answer = client.get(f"/documents/{document_id}/files/pdf")
    if answer.status_code == 303:
        answer = client.get(answer.headers["Location"])
    assert answer.status_code == 200
    return answer.data


def test_dutch_pages_name_each_figure_in_dutch(app: APIFlask, client: FlaskClient) -> None:
    sign_in(client, "support@example.com")
    client.post(
        "/account/language",
        data={"csrf_token": csrf_token(client.get("/").text), "language": "nl", "next": "/"},
    )
    form = quote_form(
        client, account=account_id(app.extensions["contractdesk"], "University"), currency="EUR"
    )
    form["discount_percent"] = "10"
    live = unescape(
        shown(
            client.post(
                "/documents/new/totals", data=form, headers={"X-CSRFToken": form["csrf_token"]}
            ).text
        )
    )
    for words in ("Subtotaal", "Korting (10 %)", "Netto (na korting, voor btw)", "Totaal (bruto)"):
        assert words in live
