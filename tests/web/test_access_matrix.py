"""Who sees which page: every role against every page, allowed or refused, as the roles
are meant to work (support sells, managers and directors approve, legal keeps the
library, finance looks after invoicing, admin administers)."""

from __future__ import annotations

import pytest
from apiflask import APIFlask
from flask.testing import FlaskClient

from app.users.models import ROLES
from tests.conftest import PASSWORD, WAIT, bearer, csrf_token
from tests.support.flows import plain_quote_request

EMAILS = {
    "support": "support@example.com",
    "manager": "manager@example.com",
    "director": "director@example.com",
    "legal": "legal@example.com",
    "finance": "finance@example.com",
    "admin": "admin@example.com",
}
EVERYONE = set(ROLES)
SELLERS = {"support", "manager", "admin"}
PAGES: dict[str, set[str]] = {
    "/": EVERYONE,
    "/documents/{quote}": EVERYONE,
    "/documents/new": SELLERS,
    "/documents/new/": SELLERS,
    "/documents/new/licence-agreement": SELLERS,
    "/approvals": {"manager", "director", "legal", "finance"},
    "/approvals/matrix": EVERYONE,
    "/reports/approvals": {"manager", "director", "finance", "admin"},
    "/reports/approvals.csv": {"manager", "director", "finance", "admin"},
    "/library/clauses": {"legal", "manager", "support", "admin"},
    "/library/clauses/limitation-of-liability": {"legal", "manager", "support", "admin"},
    "/reports/renewals": {"support", "manager", "director", "finance", "admin"},
    "/reports/renewals.csv": {"support", "manager", "director", "finance", "admin"},
    "/finance/webhooks": {"finance", "admin"},
    "/finance/invoices": {"finance", "admin"},
    "/admin/api-keys": {"admin"},
    "/admin/outbox": {"admin"},
    "/account/mail": EVERYONE,
}


def _login(client: FlaskClient, email: str) -> None:
    page = client.get("/login")
    answer = client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": csrf_token(page.text)},
    )
    assert answer.status_code == 302


@pytest.fixture
def quote_id(app: APIFlask) -> str:
    answer = app.test_client().post(
        "/api/v1/documents",
        json=plain_quote_request(app),
        headers={**bearer(app, EMAILS["support"]), **WAIT},
    )
    return str(answer.json["id"])


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_its_pages_and_is_refused_the_others(
    app: APIFlask, quote_id: str, role: str
) -> None:
    client = app.test_client()
    for path in PAGES:
        assert client.get(path.format(quote=quote_id)).status_code == 302, path  # signed out
    _login(client, EMAILS[role])
    for path, allowed in PAGES.items():
        status = client.get(path.format(quote=quote_id)).status_code
        expected = 200 if role in allowed else 403
        assert status == expected, (role, path, status)


def test_a_signed_out_visitor_is_sent_to_the_login_page_and_back(app: APIFlask) -> None:
    client = app.test_client()
    answer = client.get("/approvals")
    assert answer.status_code == 302 and "/login?next=/approvals" in answer.headers["Location"]
