"""Legal's clause library pages: draft, submit, read the redline, approve as a second
lawyer, see where a version is used."""

from __future__ import annotations

import io
import re

from apiflask import APIFlask
from pypdf import PdfReader

from tests.conftest import PASSWORD, WAIT, bearer, csrf_token
from tests.support.flows import plain_quote_request
from tests.web.test_pages import login


def test_legal_drafts_a_clause_and_a_second_lawyer_approves_it_after_the_redline(
    app: APIFlask,
) -> None:
    lee = login(app, "legal@example.com")
    library = lee.get("/library/clauses?q=invoice")
    assert library.status_code == 200
    assert "Invoicing and payment" in library.text and "Acceptance" not in library.text

    clause_page = lee.get("/library/clauses/payment-terms")
    assert clause_page.status_code == 200 and "Start a draft" in clause_page.text
    started = lee.post(
        "/library/clauses/payment-terms/drafts",
        data={
            "csrf_token": csrf_token(clause_page.text),
            "language": "en",
            "jurisdiction": "",
            "position": "preferred",
            "title": "Invoicing and payment",
            "body": "{{ seller.name }} will invoice annually in advance. Invoices are payable "
            "within 45 days of the invoice date.",
        },
    )
    assert started.status_code == 302
    version_url = started.headers["Location"]
    draft = lee.get(version_url)
    assert "Draft version" in draft.text and "Submit for review" in draft.text
    submitted = lee.post(version_url + "/submit", data={"csrf_token": csrf_token(draft.text)})
    assert submitted.status_code == 302
    waiting = lee.get(version_url)
    assert "Waiting for another lawyer" in waiting.text
    assert 'action="' + version_url + '/approve"' not in waiting.text

    robin = login(app, "legal2@example.com")
    review = robin.get(version_url)
    assert "<del>30</del>" in review.text and "<ins>45</ins>" in review.text
    approved = robin.post(
        version_url + "/approve",
        data={"csrf_token": csrf_token(review.text), "comment": "agreed with finance"},
    )
    assert approved.status_code == 302
    assert "approved" in robin.get(version_url).text

    client = app.test_client()
    doc = client.post(
        "/api/v1/documents",
        json=plain_quote_request(app),
        headers={**bearer(app, "support@example.com"), **WAIT},
    ).json
    used = robin.get(version_url)
    assert doc["number"] in used.text


def test_a_support_user_reads_the_library_but_cannot_review(app: APIFlask) -> None:
    support = login(app, "support@example.com")
    page = support.get("/library/clauses/payment-terms")
    assert page.status_code == 200 and "Start a draft" not in page.text
    refused = support.post(
        "/library/clauses/payment-terms/drafts",
        data={"csrf_token": csrf_token(page.text), "language": "en", "title": "x", "body": "y"},
    )
    assert refused.status_code == 403
    assert login(app, "finance@example.com").get("/library/clauses").status_code == 403


def test_legal_sees_each_templates_versions_and_a_sample_of_each(app: APIFlask) -> None:
    client = app.test_client()
    page = client.get("/login")
    client.post(
        "/login",
        data={
            "email": "legal@example.com",
            "password": PASSWORD,
            "csrf_token": csrf_token(page.text),
        },
    )
    listing = client.get("/library/templates")
    assert listing.status_code == 200
    assert "licence-agreement" in listing.text and "published" in listing.text
    sample = re.search(
        r'href="(/library/template-versions/[^"]+/sample\.pdf\?language=nl)"', listing.text
    )
    assert sample is not None
    pdf = client.get(sample.group(1))
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "SAMPLE-1" in text
