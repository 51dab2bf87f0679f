"""A form with mistakes, as a support executive meets it: the same page again (HTML, 422),
each error beside its field in the user's language and in a seller's words, what was typed
kept, and a summary at the top linking to the fields by their labels. The live totals never
answer an error status for a half-filled form, and the pages speak the user's own choice,
else the browser's language, else English."""

from __future__ import annotations

import html
import re

from apiflask import APIFlask
from flask.testing import FlaskClient

from tests.conftest import PASSWORD, account_id, csrf_token, row_counts
from tests.web.test_i18n_pages import PageText

DUTCH_BROWSER = {"Accept-Language": "nl-NL,nl;q=0.9,en;q=0.5"}
DEVELOPER_WORDS = re.compile(
    r"UUID|Input should|valid integer|decimal|less than or equal|discount_percent|"
    r"discount percent|lines-0|field required|\bpydantic\b",
    re.I,
)


def sign_in(client: FlaskClient, email: str, **headers: str) -> None:
    page = client.get("/login", headers=headers)
    client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": csrf_token(page.text)},
        headers=headers,
    )


def choose_language(client: FlaskClient, language: str) -> None:
    client.post(
        "/account/language",
        data={"csrf_token": csrf_token(client.get("/").text), "language": language, "next": "/"},
    )


def quote_form(client: FlaskClient, headers: dict[str, str] | None = None, **fields: str) -> dict:
    page = client.get("/documents/new", headers=headers or {})
    return {
        "csrf_token": csrf_token(page.text),
        "account": "",
        "currency": "EUR",
        "discount_percent": "150",
        "lines-0-sku": "JNL-PHYS",
        "lines-0-quantity": "1",
        "lines-0-discount_percent": "0",
        "notes": "Three-year relationship",
        "action": "generate",
        **fields,
    }


def shown(page: str) -> str:
    """What a reader of the page sees or hears of it."""
    reader = PageText()
    reader.feed(page)
    return " ".join(reader.texts)


def field_error(page: str, name: str) -> str:
    found = re.search(rf'<span class="field-error" id="{re.escape(name)}-error">([^<]*)<', page)
    assert found, f"no error beside {name}"
    return html.unescape(found.group(1))


def summary_links(page: str) -> dict[str, str]:
    summary = page.split('class="flash error error-summary"', 1)[1].split("</div>", 1)[0]
    return {k: html.unescape(v) for k, v in re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)}


def test_a_quote_with_mistakes_comes_back_as_the_same_page_in_a_sellers_words(
    app: APIFlask, client: FlaskClient
) -> None:
    runtime = app.extensions["contractdesk"]
    sign_in(client, "support@example.com")
    before = row_counts(runtime)
    answer = client.post("/documents/new", data=quote_form(client))
    assert answer.status_code == 422
    assert answer.mimetype == "text/html"
    page = answer.text
    assert "<form" in page and "&lt;form" not in page
    assert field_error(page, "account") == "Choose the customer's account."
    assert field_error(page, "discount_percent") == "Enter a percentage from 0 to 100."
    assert summary_links(page) == {"account": "Account", "discount_percent": "Header discount %"}
    assert not DEVELOPER_WORDS.search(shown(page))
    assert 'id="discount_percent" name="discount_percent" inputmode="decimal" value="150"' in page
    assert "Three-year relationship</textarea>" in page
    assert 'aria-invalid="true"' in page
    assert row_counts(runtime) == before


def test_line_mistakes_name_the_line(app: APIFlask, client: FlaskClient) -> None:
    sign_in(client, "support@example.com")
    form = quote_form(
        client,
        account=account_id(app.extensions["contractdesk"], "University"),
        discount_percent="0",
        **{"lines-0-quantity": "two", "lines-0-discount_percent": "-5"},
    )
    page = client.post("/documents/new", data=form).text
    assert field_error(page, "lines-0-quantity") == "Enter a whole number of 1 or more."
    assert field_error(page, "lines-0-discount_percent") == "Enter a percentage from 0 to 100."
    assert summary_links(page) == {
        "lines-0-quantity": "Quantity 1",
        "lines-0-discount_percent": "Discount 1",
    }


def test_a_dutch_user_reads_the_mistakes_in_dutch(app: APIFlask, client: FlaskClient) -> None:
    sign_in(client, "support@example.com")
    choose_language(client, "nl")
    answer = client.post("/documents/new", data=quote_form(client))
    assert answer.status_code == 422
    page = answer.text
    assert field_error(page, "account") == "Kies de klant uit de lijst."
    assert field_error(page, "discount_percent") == "Vul een percentage van 0 tot 100 in."
    assert summary_links(page) == {
        "account": "Klant",
        "discount_percent": "Korting op het totaal %",
    }
    assert "Verbeter de gemarkeerde velden hieronder." in page


def test_a_generated_form_answers_its_mistakes_the_same_way(
    app: APIFlask, client: FlaskClient
) -> None:
    sign_in(client, "support@example.com")
    choose_language(client, "nl")
    runtime = app.extensions["contractdesk"]
    before = row_counts(runtime)
    page = client.get("/documents/new/licence-agreement")
    answer = client.post(
        "/documents/new/licence-agreement",
        data={
            "csrf_token": csrf_token(page.text),
            "account": "",
            "currency": "EUR",
            "discount_percent": "150",
            "term.start": "not a date",
            "term.years": "3",
        },
    )
    assert answer.status_code == 422
    assert answer.mimetype == "text/html"
    text = html.unescape(answer.text)
    assert "Kies de klant uit de lijst." in text
    assert "Vul een percentage van 0 tot 100 in." in text
    assert "Vul een datum in" in text
    assert not DEVELOPER_WORDS.search(shown(answer.text))
    assert row_counts(runtime) == before


def test_live_totals_of_a_half_filled_form_say_what_is_missing_without_an_error_status(
    client: FlaskClient,
) -> None:
    sign_in(client, "support@example.com")
    form = quote_form(client)
    answer = client.post(
        "/documents/new/totals", data=form, headers={"X-CSRFToken": form["csrf_token"]}
    )
    assert answer.status_code == 200
    assert 'data-complete="false"' in answer.text
    assert "Account" in answer.text and "Header discount %" in answer.text
    assert not DEVELOPER_WORDS.search(shown(answer.text))


def test_live_totals_are_written_in_the_users_language(app: APIFlask, client: FlaskClient) -> None:
    sign_in(client, "support@example.com")
    choose_language(client, "nl")
    form = quote_form(
        client,
        account=account_id(app.extensions["contractdesk"], "University"),
        currency="GBP",
        discount_percent="15",
    )
    answer = client.post(
        "/documents/new/totals", data=form, headers={"X-CSRFToken": form["csrf_token"]}
    )
    assert answer.status_code == 200
    html = answer.text
    assert 'data-complete="true"' in html
    for dutch in ("Totalen", "Subtotaal", "Korting", "Netto", "Totaal"):
        assert dutch in html
    assert "Totals" not in html and "Needs approval" not in html
    assert "Goedkeuring nodig" in html


def test_a_user_who_never_chose_follows_the_browser(client: FlaskClient) -> None:
    sign_in(client, "support@example.com", **DUTCH_BROWSER)
    page = client.get("/", headers=DUTCH_BROWSER).text
    assert '<html lang="nl">' in page
    english = client.get("/", headers={"Accept-Language": "en-GB"}).text
    assert '<html lang="en">' in english


def test_a_users_own_choice_beats_the_browser(client: FlaskClient) -> None:
    sign_in(client, "support@example.com", **DUTCH_BROWSER)
    choose_language(client, "en")
    assert '<html lang="en">' in client.get("/", headers=DUTCH_BROWSER).text
    choose_language(client, "auto")
    assert '<html lang="nl">' in client.get("/", headers=DUTCH_BROWSER).text


def test_no_language_known_is_english(client: FlaskClient) -> None:
    sign_in(client, "support@example.com", **{"Accept-Language": "fr-FR"})
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "fr-FR"}).text
