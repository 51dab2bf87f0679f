"""The home page puts the signed-in user's own work first (mine, then my team's, then
everyone's) with filters; a delivery row names its document; a file link says in words
which file it is."""

from __future__ import annotations

import re

import pytest
from apiflask import APIFlask
from flask.testing import FlaskClient

from tests.conftest import WAIT, account_id, bearer
from tests.support.flows import quote_request
from tests.web.test_form_errors import shown, sign_in


def _quote(app: APIFlask, email: str, account: str) -> str:
    body = quote_request(account_id(app.extensions["contractdesk"], account))
    answer = app.test_client().post(
        "/api/v1/documents", json=body, headers={**bearer(app, email), **WAIT}
    )
    assert answer.status_code == 201, answer.json
    return str(answer.json["number"])


def listed(page: str) -> set[str]:
    """The document numbers in the page's list of documents."""
    if 'id="document-list"' not in page:
        return set()
    table = page.split('id="document-list"', 1)[1].split("</table>", 1)[0]
    return set(re.findall(r">([QLAT]-\d{4}-\d{6})<", table))


@pytest.fixture
def quotes(app: APIFlask) -> dict[str, str]:
    return {
        "mine": _quote(app, "support@example.com", "University"),
        "teammate": _quote(app, "manager@example.com", "Consortium"),
        "other team": _quote(app, "support2@example.com", "Huaxin"),
    }


def test_a_seller_sees_their_own_work_first_then_their_team(
    app: APIFlask, client: FlaskClient, quotes: dict[str, str]
) -> None:
    sign_in(client, "support@example.com")
    home = client.get("/").text
    assert listed(home) == {quotes["mine"]}
    assert listed(client.get("/?scope=team").text) == {quotes["mine"], quotes["teammate"]}
    assert listed(client.get("/?scope=all").text) == set(quotes.values())
    assert 'id="scope"' in home and 'id="status"' in home and 'id="search"' in home


def test_the_filters_narrow_the_list(
    app: APIFlask, client: FlaskClient, quotes: dict[str, str]
) -> None:
    sign_in(client, "support@example.com")
    assert listed(client.get("/?scope=all&search=huaxin").text) == {quotes["other team"]}
    assert listed(client.get(f"/?scope=all&search={quotes['teammate']}").text) == {
        quotes["teammate"]
    }
    assert listed(client.get("/?scope=all&status=signed").text) == set()
    assert listed(client.get("/?scope=all&status=pending_approval&kind=quote").text) == set(
        quotes.values()
    )
    assert "No documents match" in shown(client.get("/?scope=all&status=signed").text)


def test_someone_outside_sales_sees_everyone_s_documents(
    client: FlaskClient, quotes: dict[str, str]
) -> None:
    sign_in(client, "finance@example.com")
    assert listed(client.get("/").text) == set(quotes.values())


def test_an_unknown_filter_value_is_ignored_not_an_error(
    client: FlaskClient, quotes: dict[str, str]
) -> None:
    sign_in(client, "support@example.com")
    answer = client.get("/?scope=nonsense&status=unheard-of&kind=zzz")
    assert answer.status_code == 200
    assert listed(answer.text) == {quotes["mine"]}
    # a control character in the address is refused before the page (400), not a 500
    assert client.get("/?scope=nonsense&status=%00&kind=zzz").status_code == 400


def test_file_links_say_which_file_in_words(
    app: APIFlask, client: FlaskClient, quotes: dict[str, str]
) -> None:
    sign_in(client, "support@example.com")
    home = client.get("/").text
    path = re.search(r'href="(/documents/[0-9a-f-]{36})">' + quotes["mine"], home)
    assert path
    page = shown(client.get(path.group(1)).text)
    assert "PDF document, version 1" in page
    assert "Word document, version 1" in page
    assert not re.search(r"\b(PDF|DOCX|SIGNED) v\d", page)
