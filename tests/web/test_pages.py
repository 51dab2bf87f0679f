"""The support desk pages, driven through the test client like a browser would."""

from __future__ import annotations

import io

from apiflask import APIFlask
from flask.testing import FlaskClient
from pypdf import PdfReader

from tests.conftest import PASSWORD, account_id, csrf_token, row_counts


def login(app: APIFlask, email: str) -> FlaskClient:
    client = app.test_client()
    page = client.get("/login")
    answer = client.post(
        "/login",
        data={"csrf_token": csrf_token(page.text), "email": email, "password": PASSWORD},
    )
    assert answer.status_code == 302, answer.text
    return client


def test_pages_need_a_login_and_a_wrong_password_is_refused(app: APIFlask) -> None:
    client = app.test_client()
    assert client.get("/").headers["Location"].startswith("/login")
    page = client.get("/login")
    wrong = client.post(
        "/login",
        data={
            "csrf_token": csrf_token(page.text),
            "email": "support@example.com",
            "password": "nope-nope",
        },
    )
    assert wrong.status_code == 200 and "Email or password is wrong" in wrong.text


def test_a_form_without_csrf_token_is_refused(app: APIFlask) -> None:
    client = login(app, "support@example.com")
    answer = client.post("/documents/new", data={"account": "x"})
    assert answer.status_code == 400


def _quote_form(app: APIFlask, client: FlaskClient, **overrides: str) -> dict[str, str]:
    page = client.get("/documents/new")
    assert page.status_code == 200
    form = {
        "csrf_token": csrf_token(page.text),
        "account": account_id(app.extensions["contractdesk"], "Consortium"),
        "currency": "EUR",
        "lines-0-sku": "JNL-CHEM",
        "lines-0-quantity": "2",
        "lines-0-discount_percent": "15",
        "lines-1-sku": "SVC-TDM",
        "lines-1-quantity": "1",
        "lines-1-discount_percent": "0",
        "discount_percent": "0",
        "tax_rate_percent": "21",
    }
    form.update(overrides)
    return form


def test_support_previews_totals_then_generates_and_a_manager_approves(app: APIFlask) -> None:
    support = login(app, "support@example.com")
    preview = support.post(
        "/documents/new", data={**_quote_form(app, support), "action": "preview"}
    )
    assert preview.status_code == 200
    # 2 x 16,200 less 15 % = 27,540.00; + 3,500.00 = 31,040.00; 21 % tax = 6,518.40.
    assert "€31,040.00" in preview.text and "€37,558.40" in preview.text
    assert "Needs approval by a manager" in preview.text

    created = support.post(
        "/documents/new", data={**_quote_form(app, support), "action": "generate"}
    )
    assert created.status_code == 302
    document_page = support.get(created.headers["Location"])
    assert "pending approval" in document_page.text
    assert (
        "Waiting for manager approval, by someone who neither created it nor changed it"
        in document_page.text
    )
    app.extensions["contractdesk"].jobs.wait_idle()  # the files render after the request
    document_page = support.get(created.headers["Location"])
    assert "PDF document, version 1" in document_page.text
    assert "Word document, version 1" in document_page.text

    manager = login(app, "manager@example.com")
    page = manager.get(created.headers["Location"])
    answer = manager.post(
        created.headers["Location"] + "/approval",
        data={"csrf_token": csrf_token(page.text), "decision": "approve", "comment": "ok for Q1"},
    )
    assert answer.status_code == 302
    approved = manager.get(created.headers["Location"])
    assert "Approved</strong> by Morgan Manager" in approved.text and "ok for Q1" in approved.text

    page = support.get(created.headers["Location"])
    sent = support.post(
        created.headers["Location"] + "/send",
        data={
            "csrf_token": csrf_token(page.text),
            "signers-0-name": "Sanne de Vries",
            "signers-0-email": "s.devries@cdrl.example.nl",
        },
        follow_redirects=True,
    )
    assert "http://localhost/sign/" in sent.text
    assert "Sanne de Vries" in sent.text


def test_form_errors_are_shown_beside_the_field_and_nothing_is_made(app: APIFlask) -> None:
    runtime = app.extensions["contractdesk"]
    support = login(app, "support@example.com")
    before = row_counts(runtime)
    answer = support.post(
        "/documents/new",
        data={
            **_quote_form(app, support, **{"lines-0-quantity": "-1", "currency": "JPY"}),
            "action": "generate",
        },
    )
    assert answer.status_code == 422
    assert 'id="lines-0-quantity-error"' in answer.text
    # and summarised at the top, each linking to its field
    assert '<a href="#lines-0-quantity">Quantity 1</a>' in answer.text
    assert row_counts(runtime) == before


def test_a_finance_user_cannot_open_the_quote_form(app: APIFlask) -> None:
    finance = login(app, "finance@example.com")
    assert finance.get("/documents/new").status_code == 403
    assert finance.get("/").status_code == 200


def test_a_bad_signing_link_gets_a_clear_page(app: APIFlask) -> None:
    answer = app.test_client().get("/sign/not-a-real-token")
    assert answer.status_code == 404
    assert "This signing link cannot be used" in answer.text


def test_the_quote_form_shows_the_pdf_before_generating_and_stores_nothing(app: APIFlask) -> None:
    runtime = app.extensions["contractdesk"]
    support = login(app, "support@example.com")
    form = _quote_form(app, support)
    before = row_counts(runtime)
    answer = support.post(
        "/documents/new/preview.pdf", data=form, headers={"X-CSRFToken": form["csrf_token"]}
    )
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(answer.data)).pages)
    assert "PREVIEW" in text and "Consortium of Dutch Research Libraries" in text
    assert row_counts(runtime) == before

    bad = support.post(
        "/documents/new/preview.pdf",
        data={**form, "lines-0-quantity": "0"},
        headers={"X-CSRFToken": form["csrf_token"]},
    )
    assert bad.status_code == 422 and "lines-0-quantity" in bad.json["errors"]
