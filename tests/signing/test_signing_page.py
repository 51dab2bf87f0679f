"""The built-in signer's pages speak the document's language, whatever the customer's
browser or a signed-in user's setting, and show the document itself: each page of the
PDF as an image behind the same one-time link, with its text for screen readers."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser

from apiflask import APIFlask
from babel.numbers import format_currency
from pypdf import PdfReader
from sqlalchemy import update

from app.config import PROJECT_ROOT
from app.db import utcnow
from app.signing.models import Signer
from tests.conftest import PASSWORD, WAIT, account_id, bearer, csrf_token
from tests.support.flows import create_and_send

ENGLISH_BROWSER = {"Accept-Language": "en-GB,en;q=0.9"}
DUTCH_BROWSER = {"Accept-Language": "nl-NL,nl;q=0.9"}


class Images(HTMLParser):
    """The <img> elements of a page, with their attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.found.append(dict(attrs))


def images(html: str) -> list[dict[str, str | None]]:
    parser = Images()
    parser.feed(html)
    return parser.found


def _total(app: APIFlask, document_id: str) -> tuple[Decimal, str]:
    document = app.test_client().get(
        f"/api/v1/documents/{document_id}", headers=bearer(app, "support@example.com")
    )
    assert document.status_code == 200, document.json
    return Decimal(document.json["totals"]["total"]), document.json["currency"]


def _dutch_document(app: APIFlask) -> tuple[str, str]:
    return create_and_send(app, language="nl", currency="EUR")


def test_a_dutch_document_is_signed_on_a_dutch_page_from_an_english_browser(
    app: APIFlask,
) -> None:
    document_id, link = _dutch_document(app)
    total, currency = _total(app, document_id)
    page = app.test_client().get(link, headers=ENGLISH_BROWSER)
    assert page.status_code == 200
    assert '<html lang="nl">' in page.text
    assert "Typ uw volledige naam (Helen Marsh)" in page.text
    assert ">Ondertekenen</button>" in page.text
    assert "Type your full name" not in page.text
    dutch_total = format_currency(total, currency, locale="nl_NL")
    assert re.fullmatch(r"€\s[\d.]+,\d\d", dutch_total)
    assert dutch_total in page.text
    assert format_currency(total, currency, locale="en_GB") not in page.text


def test_a_signed_in_english_user_still_sees_the_dutch_document_in_dutch(app: APIFlask) -> None:
    _, link = _dutch_document(app)
    client = app.test_client()
    login = client.get("/login")
    client.post(
        "/login",
        data={
            "email": "support@example.com",
            "password": PASSWORD,
            "csrf_token": csrf_token(login.text),
        },
    )
    client.post(
        "/account/language",
        data={"csrf_token": csrf_token(client.get("/").text), "language": "en", "next": "/"},
    )
    assert '<html lang="en">' in client.get("/").text
    page = client.get(link, headers=ENGLISH_BROWSER)
    assert '<html lang="nl">' in page.text and "Typ uw volledige naam" in page.text


def test_an_english_document_is_english_for_a_dutch_browser(app: APIFlask) -> None:
    document_id, link = create_and_send(app)
    total, currency = _total(app, document_id)
    page = app.test_client().get(link, headers=DUTCH_BROWSER)
    assert page.status_code == 200
    assert '<html lang="en">' in page.text
    assert "Type your full name (Helen Marsh)" in page.text and ">Sign</button>" in page.text
    assert "Ondertekenen" not in page.text
    assert format_currency(total, currency, locale="en_GB") in page.text


def test_every_message_to_a_dutch_customer_is_dutch(app: APIFlask) -> None:
    document_id, link = _dutch_document(app)
    client = app.test_client()
    client.get(link, headers=ENGLISH_BROWSER)

    refused = client.post(link, data={"typed_name": " "}, headers=ENGLISH_BROWSER)
    assert refused.status_code == 422
    assert '<html lang="nl">' in refused.text
    assert "Typ uw volledige naam om te ondertekenen" in refused.text
    assert "Uw toestemming om elektronisch te ondertekenen is nodig" in refused.text
    assert "type your full name" not in refused.text and "consent to sign" not in refused.text

    signed = client.post(
        link,
        data={"typed_name": "Helen Marsh", "consent": "yes"},
        headers=ENGLISH_BROWSER,
    )
    assert signed.status_code == 200
    assert '<html lang="nl">' in signed.text and "uw handtekening is vastgelegd" in signed.text
    status = app.test_client().get(
        f"/api/v1/documents/{document_id}", headers=bearer(app, "support@example.com")
    )
    assert status.json["status"] == "signed"

    used = client.get(link, headers=ENGLISH_BROWSER)
    assert used.status_code == 410
    assert '<html lang="nl">' in used.text and "Deze link is al gebruikt" in used.text
    assert "has been used" not in used.text


def test_an_expired_link_tells_a_dutch_customer_in_dutch(app: APIFlask) -> None:
    _, link = _dutch_document(app)
    with app.extensions["contractdesk"].engine.begin() as connection:
        connection.execute(update(Signer).values(token_expires_at=utcnow() - timedelta(minutes=1)))
    page = app.test_client().get(link, headers=ENGLISH_BROWSER)
    assert page.status_code == 410
    assert '<html lang="nl">' in page.text and "Deze link is verlopen" in page.text


def test_the_signing_page_shows_each_page_of_the_pdf_behind_the_link(app: APIFlask) -> None:
    _, link = _dutch_document(app)
    client = app.test_client()
    pdf = client.get(link + "/document.pdf").data
    reader = PdfReader(io.BytesIO(pdf))
    count = len(reader.pages)
    page = client.get(link, headers=ENGLISH_BROWSER)

    shown = [img for img in images(page.text) if "/pages/" in str(img.get("src"))]
    assert len(shown) == count
    assert [img["alt"] for img in shown] == [f"Pagina {n} van {count}" for n in range(1, count + 1)]
    for img in shown:
        assert str(img["src"]).startswith(link + "/pages/")
        picture = client.get(str(img["src"]))
        assert picture.status_code == 200 and picture.mimetype == "image/png"
        assert picture.data.startswith(b"\x89PNG\r\n\x1a\n")
    assert f'href="{link}/document.pdf"' in page.text
    again = client.get(str(shown[-1]["src"]), headers={"If-None-Match": picture.headers["ETag"]})
    assert again.status_code == 304 and "private" in again.headers["Cache-Control"]

    # the text of each page is there for a screen reader, as the PDF itself has it
    first_words = reader.pages[0].extract_text().split()[:3]
    assert all(word in page.text for word in first_words)

    wrong = link.rsplit("/", 1)[0] + "/not-the-token"
    assert client.get(str(shown[0]["src"]).replace(link, wrong)).status_code == 404
    assert client.get(f"{link}/pages/{count + 1}.png").status_code == 404
    assert client.get(f"{link}/pages/0.png").status_code == 404


def test_the_page_images_close_with_the_link(app: APIFlask) -> None:
    _, link = create_and_send(app)
    client = app.test_client()
    client.get(link)
    client.post(link, data={"typed_name": "Helen Marsh", "consent": "yes"})
    assert client.get(f"{link}/pages/1.png").status_code == 410


def test_signing_is_a_plain_form_post(app: APIFlask) -> None:
    """No script is needed: the form posts itself, and the answer is the confirmation."""
    _, link = _dutch_document(app)
    page = app.test_client().get(link)
    form = re.search(r"<form[^>]*>", page.text)
    assert form and 'method="post"' in form.group(0)
    assert "<script" not in page.text


def test_the_signature_page_of_a_dutch_document_is_dutch(app: APIFlask) -> None:
    document_id, link = _dutch_document(app)
    client = app.test_client()
    client.get(link, headers=ENGLISH_BROWSER)
    client.post(
        link,
        data={"typed_name": "Helen Marsh", "consent": "yes"},
        headers=ENGLISH_BROWSER,
    )
    signed = client.get(
        f"/api/v1/documents/{document_id}/files/signed", headers=bearer(app, "support@example.com")
    ).data
    page = " ".join(PdfReader(io.BytesIO(signed)).pages[-1].extract_text().split())
    assert "Auditcertificaat" in page and "SHA-256 van het document zoals aan de" in page
    events = [e for e in ("Verzonden ter ondertekening", "Geopend", "Ondertekend") if e in page]
    assert len(events) == 3
    assert "Helen Marsh heeft het vakje “Ik ga ermee akkoord" in page
    assert "Audit certificate" not in page and "ticked" not in page


def test_a_chinese_licence_is_signed_on_a_chinese_page(app: APIFlask) -> None:
    """From a Dutch browser too: the page's words are the document's language."""
    data = json.loads(
        (PROJECT_ROOT / "contract_templates/licence-agreement/sample.json").read_text()
    )
    data.update(account=account_id(app.extensions["contractdesk"], "Consortium"), language="zh")
    client = app.test_client()
    support = bearer(app, "support@example.com")
    created = client.post(
        "/api/v1/documents",
        json={"template": "licence-agreement", "data": data},
        headers={**support, **WAIT},
    )
    assert created.status_code == 201, created.json
    sent = client.post(
        f"/api/v1/documents/{created.json['id']}/send",
        json={"signers": [{"name": "Li Wei", "email": "li.wei@example.cn"}]},
        headers=support,
    )
    assert sent.status_code == 200, sent.json
    link = sent.json["signers"][0]["signing_url"].removeprefix("http://localhost")
    page = client.get(link, headers=DUTCH_BROWSER)
    assert page.status_code == 200
    assert '<html lang="zh">' in page.text and "请输入您的全名（Li Wei）" in page.text
    assert "我同意以电子方式签署本文件" in page.text and "Type your full name" not in page.text
    assert 'lang="zh" translate="no"' in page.text  # the document's own text
    assert len([i for i in images(page.text) if "/pages/" in str(i.get("src"))]) > 1
    refused = client.post(link, data={"typed_name": "Li Wei"}, headers=DUTCH_BROWSER)
    assert refused.status_code == 422 and "需要您同意以电子方式签署：请勾选此框。" in refused.text
    done = client.post(link, data={"typed_name": "Li Wei", "consent": "yes"}, headers=DUTCH_BROWSER)
    assert done.status_code == 200 and "谢谢——您的签名已记录" in done.text
    closed = client.get(link, headers=DUTCH_BROWSER)
    assert closed.status_code == 410 and "此链接已使用：文件已签署。" in closed.text
