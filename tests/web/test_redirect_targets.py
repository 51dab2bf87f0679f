"""Where a user-given `next` may send someone: only to a path of this service. The login
page and the language switch are attacked with hostile targets; the answer always stays
on the service and never fails."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from apiflask import APIFlask
from flask.testing import FlaskClient

from app.web.redirects import local_target
from tests.conftest import PASSWORD, csrf_token

HOSTILE = [
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/\t/evil",
    "https://evil.example",
    "http://evil.example/documents",
    "http:/evil",
    "http:evil.example",
    "HTTPS://evil.example",
    "javascript:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "///evil",
    "////evil.example",
    "/\r\nSet-Cookie: x=1",
    "/documents\nLocation: https://evil.example",
    "/\r/evil.example",
    "/\x00/evil.example",
    "/\x0b/evil.example",
    "/\x7f/evil.example",
    "/%2F/evil.example",
    "/%5Cevil.example",
    "/%09/evil.example",
    "/%0d%0a/evil.example",
    "%2F%2Fevil.example",
    "evil.example",
    "documents",
    "/" + "a" * 5000,
    "\u3000//evil.example",
    "",
]
GOOD = ["/documents?page=2", "/approvals", "/", "/documents/new/licence-agreement?x=1#top"]


def _login(client: FlaskClient, target: str) -> str:
    page = client.get("/login")
    answer = client.post(
        "/login",
        query_string={"next": target},
        data={
            "email": "support@example.com",
            "password": PASSWORD,
            "csrf_token": csrf_token(page.text),
        },
    )
    if answer.status_code == 400:
        # a control character in the page's address is refused before the page: no redirect
        assert any(ord(c) < 32 or 127 <= ord(c) < 160 for c in target), target
        return "/"
    assert answer.status_code == 302, (target, answer.status_code)
    return answer.headers["Location"]


def _is_local(location: str) -> bool:
    parts = urlsplit(location)
    return (
        not parts.scheme
        and not parts.netloc
        and location.startswith("/")
        and not location.startswith("//")
        and "\\" not in location
        and all(ord(c) > 0x20 and ord(c) != 0x7F for c in location)
    )


def test_login_never_sends_anyone_off_the_service(app: APIFlask) -> None:
    for target in HOSTILE:
        location = _login(app.test_client(), target)
        assert _is_local(location), (target, location)
        assert location == "/", target


def test_the_reported_tab_and_newline_targets_go_nowhere(app: APIFlask) -> None:
    """A tab or a newline in the address is refused (400) before the sign-in: nobody is
    redirected, nothing fails, and the sign-in itself still takes the user home."""
    client = app.test_client()
    page = client.get("/login")
    form = {"email": "support@example.com", "password": PASSWORD}
    for address in ("/login?next=/%09/evil.example", "/login?next=/%0d%0aSet-Cookie:x=1"):
        answer = client.post(address, data={**form, "csrf_token": csrf_token(page.text)})
        assert answer.status_code == 400 and "Location" not in answer.headers
        assert "Set-Cookie" not in answer.headers or "x=1" not in answer.headers["Set-Cookie"]
    answer = client.post("/login", data={**form, "csrf_token": csrf_token(page.text)})
    assert answer.status_code == 302 and answer.headers["Location"] == "/"


def test_login_keeps_a_path_of_the_service(app: APIFlask) -> None:
    for target in GOOD:
        assert _login(app.test_client(), target) == target


def test_the_language_switch_stays_on_the_service(app: APIFlask) -> None:
    client = app.test_client()
    _login(client, "/")
    token = csrf_token(client.get("/").text)
    for target in [*HOSTILE, *GOOD]:
        answer = client.post(
            "/account/language", data={"csrf_token": token, "language": "en", "next": target}
        )
        assert answer.status_code == 302, target
        location = answer.headers["Location"]
        assert _is_local(location), (target, location)
        assert location == (target if target in GOOD else "/"), target


@pytest.mark.parametrize("target", HOSTILE)
def test_a_hostile_target_falls_back(target: str) -> None:
    assert local_target(target, "/home") == "/home"


@pytest.mark.parametrize("target", GOOD)
def test_a_path_of_the_service_is_kept(target: str) -> None:
    assert local_target(target, "/home") == target


def test_a_missing_target_falls_back() -> None:
    assert local_target(None, "/home") == "/home"
