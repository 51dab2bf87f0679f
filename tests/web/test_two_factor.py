"""Attacks on the second factor: a password alone for an account that needs a code, a
code replayed, a code guessed; and who is asked for one."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest
from apiflask import APIFlask
from flask.testing import FlaskClient

from app.config import Settings
from tests.conftest import PASSWORD, build_app, csrf_token, make_settings


@pytest.fixture
def strict(postgres_url: str, tmp_path: Path, instance_dir: Path) -> Iterator[APIFlask]:
    app = build_app(make_settings(postgres_url, tmp_path, instance_dir, two_factor="required"))
    yield app
    app.extensions["contractdesk"].close()


def password_step(client: FlaskClient, email: str) -> str:
    page = client.get("/login")
    answer = client.post(
        "/login",
        data={"csrf_token": csrf_token(page.text), "email": email, "password": PASSWORD},
    )
    assert answer.status_code == 302
    return answer.headers["Location"]


def send_code(client: FlaskClient, path: str, code: str) -> int:
    page = client.get(path)
    assert page.status_code == 200
    return client.post(path, data={"csrf_token": csrf_token(page.text), "code": code}).status_code


def signed_in(client: FlaskClient) -> bool:
    return client.get("/").status_code == 200


def enrol(client: FlaskClient) -> pyotp.TOTP:
    page = client.get("/account/two-factor")
    assert "<svg" in page.text
    found = re.search(r'id="totp-secret"[^>]*>([A-Z2-7]+)<', page.text)
    assert found is not None
    totp = pyotp.TOTP(found.group(1))
    assert (
        send_code(client, "/account/two-factor", "000000" if totp.now() != "000000" else "1") == 422
    )
    assert send_code(client, "/account/two-factor", totp.now()) == 302
    return totp


def test_a_finance_password_alone_does_not_sign_in_where_a_second_factor_is_required(
    strict: APIFlask,
) -> None:
    client = strict.test_client()
    assert password_step(client, "finance@example.com") == "/account/two-factor"
    assert not signed_in(client)
    enrol(client)
    assert signed_in(client)

    fresh = strict.test_client()
    assert password_step(fresh, "finance@example.com") == "/login/code"
    assert not signed_in(fresh)
    assert fresh.get("/login/code").status_code == 200


def test_a_replayed_code_is_refused(strict: APIFlask) -> None:
    totp = enrol(_pending(strict, "legal@example.com"))
    used = totp.now()  # the step enrolment used (or the one before it)
    client = strict.test_client()
    assert password_step(client, "legal@example.com") == "/login/code"
    assert send_code(client, "/login/code", used) == 422
    assert not signed_in(client)

    later = totp.at(time.time() + 30)  # the next step: a phone a little ahead
    assert send_code(client, "/login/code", later) == 302
    assert signed_in(client)

    again = strict.test_client()
    password_step(again, "legal@example.com")
    assert send_code(again, "/login/code", later) == 422
    assert not signed_in(again)


def test_the_code_step_keeps_where_the_user_was_going_and_only_if_it_is_ours(
    strict: APIFlask,
) -> None:
    for email, target, lands in (
        ("finance@example.com", "/documents?page=2", "/documents?page=2"),
        ("legal@example.com", "//evil.example", "/"),
    ):
        totp = enrol(_pending(strict, email))
        client = strict.test_client()
        page = client.get(f"/login?next={target}")
        answer = client.post(
            f"/login?next={target}",
            data={"csrf_token": csrf_token(page.text), "email": email, "password": PASSWORD},
        )
        code_page = answer.headers["Location"]
        assert code_page.startswith("/login/code")
        page = client.get(code_page)
        signed = client.post(
            code_page,
            data={"csrf_token": csrf_token(page.text), "code": totp.at(time.time() + 30)},
        )
        assert signed.status_code == 302
        assert signed.headers["Location"] == lands


def test_a_session_left_open_cannot_move_the_second_factor_without_the_password(
    strict: APIFlask,
) -> None:
    client = _pending(strict, "finance@example.com")
    first = enrol(client)
    page = client.get("/account/two-factor")
    assert 'name="password"' in page.text
    found = re.search(r'id="totp-secret"[^>]*>([A-Z2-7]+)<', page.text)
    assert found is not None
    other = pyotp.TOTP(found.group(1))
    without = client.post(
        "/account/two-factor",
        data={"csrf_token": csrf_token(page.text), "code": other.now()},
    )
    assert without.status_code == 422
    fresh = strict.test_client()
    assert password_step(fresh, "finance@example.com") == "/login/code"
    assert send_code(fresh, "/login/code", first.at(time.time() + 30)) == 302  # the first app

    page = client.get("/account/two-factor")
    replaced = client.post(
        "/account/two-factor",
        data={"csrf_token": csrf_token(page.text), "code": other.now(), "password": PASSWORD},
    )
    assert replaced.status_code == 302


def test_guessed_codes_are_throttled_like_passwords(strict: APIFlask) -> None:
    enrol(_pending(strict, "director@example.com"))
    client = strict.test_client()
    password_step(client, "director@example.com")
    statuses = [send_code(client, "/login/code", f"{n:06d}") for n in range(12)]
    assert statuses[-1] == 429
    assert not signed_in(client)


def test_only_the_roles_that_need_it_are_asked_and_not_without_a_password(
    strict: APIFlask, app: APIFlask
) -> None:
    support = strict.test_client()
    assert password_step(support, "support@example.com") == "/"
    assert signed_in(support)
    assert strict.test_client().get("/login/code").headers["Location"].startswith("/login")
    optional = app.test_client()  # two_factor=optional: finance signs in with a password
    assert password_step(optional, "finance@example.com") == "/"


def test_required_outside_the_embedded_default_optional_on_it() -> None:
    assert Settings(database_url="postgresql+psycopg://x/y").two_factor_required
    assert not Settings(database_url="sqlite:///x.db").two_factor_required
    assert Settings(database_url="sqlite:///x.db", two_factor="required").two_factor_required


def _pending(app: APIFlask, email: str) -> FlaskClient:
    client = app.test_client()
    assert password_step(client, email) == "/account/two-factor"
    return client
