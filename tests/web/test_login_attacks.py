"""Attacks on signing in: guessing a password many times, from one address or against one
account, and weak passwords on every path that sets one."""

from __future__ import annotations

import pytest
from apiflask import APIFlask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.errors import InvalidInput
from app.notifications.models import Notification
from app.users import credentials
from app.users import services as users
from app.users.models import User
from tests.conftest import PASSWORD, csrf_token, row_counts

NEW_PASSWORD = "amber-walrus-copies-nine-maps"


def attempt(
    client: FlaskClient, email: str, password: str, address: str = "203.0.113.7", **headers: str
) -> tuple[int, str, dict[str, str]]:
    page = client.get("/login", environ_base={"REMOTE_ADDR": address})
    answer = client.post(
        "/login",
        data={"csrf_token": csrf_token(page.text), "email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
        headers=headers,
    )
    return answer.status_code, answer.text, dict(answer.headers)


def test_thirty_wrong_passwords_lock_the_account_even_against_the_right_one(
    app: APIFlask,
) -> None:
    client = app.test_client()
    statuses = [attempt(client, "finance@example.com", f"guess-{n}")[0] for n in range(30)]
    assert statuses[:10] == [200] * 10
    assert statuses[10:] == [429] * 20

    status, text, headers = attempt(client, "finance@example.com", PASSWORD)
    assert status == 429
    assert 0 < int(headers["Retry-After"]) <= 15 * 60
    assert "Too many wrong passwords" in text
    assert client.get("/").status_code == 302  # not signed in

    status, text, headers = attempt(
        app.test_client(), "finance@example.com", PASSWORD, Accept="application/json"
    )
    assert status == 429 and headers["Content-Type"] == "application/problem+json"
    assert '"status":429' in text.replace(" ", "") and "sign-in-locked" in text

    other_user = app.test_client()
    assert attempt(other_user, "legal@example.com", PASSWORD)[0] == 302  # others are not locked

    runtime = app.extensions["contractdesk"]
    uow = runtime.unit_of_work()
    with uow:
        owner = users.user_by_email(uow.session, "finance@example.com")
        locks = uow.session.scalars(
            select(AuditEvent).where(AuditEvent.tag == "user.sign_in_locked")
        ).all()
        assert [(e.subject_id, e.data["address"]) for e in locks] == [
            (str(owner.id), "203.0.113.7")
        ]
        notices = uow.session.scalars(
            select(Notification).where(Notification.user_id == owner.id)
        ).all()
        assert len(notices) == 1 and "10 wrong passwords" in notices[0].message


def test_an_address_guessing_across_accounts_is_locked_too(app: APIFlask) -> None:
    client = app.test_client()
    statuses = [
        attempt(client, f"nobody{n}@example.com", "guess", address="198.51.100.9")[0]
        for n in range(55)
    ]
    assert statuses[:50] == [200] * 50 and statuses[50:] == [429] * 5
    assert attempt(client, "support@example.com", PASSWORD, address="198.51.100.9")[0] == 429
    assert attempt(client, "support@example.com", PASSWORD, address="198.51.100.10")[0] == 302


@pytest.mark.parametrize("weak", ["password", "Password1234", "short-pw", "new@example.com2026"])
def test_weak_passwords_are_refused_when_a_user_is_made_or_changed(
    app: APIFlask, weak: str
) -> None:
    runtime = app.extensions["contractdesk"]
    before = row_counts(runtime)
    uow = runtime.unit_of_work()
    with uow:
        with pytest.raises(InvalidInput, match=r"at least 12 characters|too easy to guess"):
            users.create_user(uow.session, email="new@example.com", role="support", password=weak)
        user = users.user_by_email(uow.session, "support@example.com")
        with pytest.raises(InvalidInput):
            credentials.set_password(
                uow.session, user, weak.replace("new@", "support@"), actor=None
            )
    assert row_counts(runtime) == before


def _signed_in(app: APIFlask) -> FlaskClient:
    client = app.test_client()
    assert attempt(client, "support@example.com", PASSWORD)[0] == 302
    return client


def _change(
    client: FlaskClient, current: str, new: str, again: str | None = None
) -> tuple[int, str]:
    page = client.get("/account/password")
    assert page.status_code == 200
    answer = client.post(
        "/account/password",
        data={
            "csrf_token": csrf_token(page.text),
            "current_password": current,
            "new_password": new,
            "confirm_password": new if again is None else again,
        },
    )
    return answer.status_code, answer.text


def _hash(app: APIFlask) -> str | None:
    uow = app.extensions["contractdesk"].unit_of_work()
    with uow:
        return uow.session.scalar(
            select(User.password_hash).where(User.email == "support@example.com")
        )


def test_the_password_page_refuses_weak_passwords_and_a_wrong_current_one(
    app: APIFlask,
) -> None:
    client = _signed_in(app)
    before = _hash(app)
    status, text = _change(client, PASSWORD, "password")
    assert status == 422 and "Use at least 12 characters" in text
    status, text = _change(client, PASSWORD, "Password1234")
    assert status == 422 and "too easy to guess" in text
    status, text = _change(client, "not-my-password", NEW_PASSWORD)
    assert status == 422 and "not your current password" in text
    status, text = _change(client, PASSWORD, NEW_PASSWORD, "something-else-entirely")
    assert status == 422 and "differ" in text
    assert _hash(app) == before


def test_a_new_password_keeps_this_session_and_ends_the_others(app: APIFlask) -> None:
    client = _signed_in(app)
    other = _signed_in(app)
    status, _ = _change(client, PASSWORD, NEW_PASSWORD)
    assert status == 302
    assert client.get("/").status_code == 200
    assert other.get("/").status_code == 302
    assert attempt(app.test_client(), "support@example.com", PASSWORD)[0] == 200
    assert attempt(app.test_client(), "support@example.com", NEW_PASSWORD)[0] == 302
