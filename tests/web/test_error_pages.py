"""The favicon every browser asks for, and the 404 and 500 pages: in the service's style,
in the reader's language, with a way home; the API keeps answering problem documents."""

from __future__ import annotations

from apiflask import APIFlask

from tests.support.flows import create_and_send

DUTCH_BROWSER = {"Accept-Language": "nl-NL,nl;q=0.9"}


def test_the_favicon_answers_where_browsers_ask_for_it(app: APIFlask) -> None:
    client = app.test_client()
    asked = client.get("/favicon.ico", follow_redirects=True)
    assert asked.status_code == 200 and asked.mimetype == "image/svg+xml"
    assert b"<svg" in asked.data
    icon = '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">'
    assert icon in client.get("/login").text
    _, link = create_and_send(app)
    assert icon in client.get(link).text


def test_an_unknown_page_is_a_404_page_in_the_service_style(app: APIFlask) -> None:
    answer = app.test_client().get("/no/such/page")
    assert answer.status_code == 404 and answer.mimetype == "text/html"
    assert '<html lang="en">' in answer.text
    assert 'href="/static/app.css"' in answer.text
    assert "Page not found" in answer.text
    assert "There is no page at this address" in answer.text
    assert '<a href="/">Go to the home page</a>' in answer.text


def test_the_404_page_is_dutch_for_a_dutch_browser(app: APIFlask) -> None:
    answer = app.test_client().get("/no/such/page", headers=DUTCH_BROWSER)
    assert answer.status_code == 404
    assert '<html lang="nl">' in answer.text
    assert "Pagina niet gevonden" in answer.text and "Page not found" not in answer.text
    assert "Op dit adres staat geen pagina" in answer.text
    assert '<a href="/">Naar de startpagina</a>' in answer.text


def test_an_unknown_api_path_answers_a_problem_document(app: APIFlask) -> None:
    answer = app.test_client().get("/api/v1/no-such-thing", headers=DUTCH_BROWSER)
    assert answer.status_code == 404
    assert answer.mimetype == "application/problem+json"
    assert answer.json["status"] == 404 and answer.json["instance"] == "/api/v1/no-such-thing"


def test_an_unexpected_error_is_a_500_page_in_the_readers_language(app: APIFlask) -> None:
    def broken() -> str:
        raise RuntimeError("a fault in the code")

    app.add_url_rule("/broken-page", "broken_page", broken)
    app.add_url_rule("/api/v1/broken", "broken_api", broken)
    client = app.test_client()

    english = client.get("/broken-page")
    assert english.status_code == 500 and english.mimetype == "text/html"
    assert 'href="/static/app.css"' in english.text
    assert '<a href="/">Go to the home page</a>' in english.text
    assert "Something went wrong" in english.text and "a fault in the code" not in english.text

    dutch = client.get("/broken-page", headers=DUTCH_BROWSER)
    assert dutch.status_code == 500 and '<html lang="nl">' in dutch.text
    assert "Er is iets misgegaan" in dutch.text and "Something went wrong" not in dutch.text

    api = client.get("/api/v1/broken")
    assert api.status_code == 500 and api.mimetype == "application/problem+json"
