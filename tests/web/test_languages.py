"""The pages in English or Dutch, as each user chooses; money and dates follow."""

from __future__ import annotations

from apiflask import APIFlask
from flask.testing import FlaskClient

from tests.conftest import PASSWORD, WAIT, bearer, csrf_token
from tests.support.flows import plain_quote_request


def _login(client: FlaskClient, email: str) -> None:
    page = client.get("/login")
    client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": csrf_token(page.text)},
    )


def test_a_user_switches_to_dutch_and_keeps_it(app: APIFlask) -> None:
    quote = plain_quote_request(app)
    quote["data"]["currency"] = "EUR"
    quote["data"]["lines"] = [{"sku": "JNL-PHYS", "quantity": 1}]
    app.test_client().post(
        "/api/v1/documents", json=quote, headers={**bearer(app, "support@example.com"), **WAIT}
    )

    client = app.test_client()
    _login(client, "support@example.com")
    english = client.get("/").text
    assert "My drafts" in english and "€22,200.00" in english  # 18,500 and 20 % VAT

    client.post(
        "/account/language",
        data={"csrf_token": csrf_token(english), "language": "nl", "next": "/"},
    )
    dutch = client.get("/").text
    assert '<html lang="nl">' in dutch
    assert "Mijn concepten" in dutch and "Nieuwe offerte" in dutch
    assert "€\xa022.200,00" in dutch  # money as the Dutch write it

    again = app.test_client()  # another session, the same user: still Dutch
    _login(again, "support@example.com")
    assert "Mijn concepten" in again.get("/").text


def test_a_signed_out_visitor_gets_the_language_their_browser_asks_for(app: APIFlask) -> None:
    page = app.test_client().get("/login", headers={"Accept-Language": "nl-NL,nl;q=0.9"})
    assert "Aanmelden" in page.text and "Wachtwoord" in page.text
    assert "Sign in" in app.test_client().get("/login").text


def test_the_quote_form_in_dutch(app: APIFlask) -> None:
    client = app.test_client()
    _login(client, "support@example.com")
    english = client.get("/documents/new").text
    assert "Line discount %<" in english and "Generate quote" in english
    client.post(
        "/account/language",
        data={"csrf_token": csrf_token(english), "language": "nl", "next": "/documents/new"},
    )
    dutch = client.get("/documents/new").text
    assert "Regelkorting %<" in dutch and "Offerte maken" in dutch and "Klant zoeken" in dutch
