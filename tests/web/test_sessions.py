"""Attacks on page sessions: a cookie copied before sign-out, after a new password or a new
role, one planted before sign-in, and one kept past its idle and absolute limits."""

from __future__ import annotations

from pathlib import Path

from apiflask import APIFlask
from flask.testing import FlaskClient

from app import create_app, migrate
from app.config import Settings
from app.users import credentials
from app.users import services as users
from tests.conftest import PASSWORD, csrf_token, make_settings

COOKIE = "session"


def login(app: APIFlask, email: str, client: FlaskClient | None = None) -> FlaskClient:
    client = client or app.test_client()
    page = client.get("/login")
    answer = client.post(
        "/login",
        data={"csrf_token": csrf_token(page.text), "email": email, "password": PASSWORD},
    )
    assert answer.status_code == 302, answer.text
    return client


def copied(app: APIFlask, client: FlaskClient) -> FlaskClient:
    """Another browser holding a copy of the client's session cookie."""
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie(COOKIE, cookie.value)
    return thief


def signed_in(client: FlaskClient) -> bool:
    answer = client.get("/")
    if answer.status_code == 302:
        assert answer.headers["Location"].startswith("/login")
        return False
    assert answer.status_code == 200
    return True


def test_a_cookie_copied_before_sign_out_is_refused_after_it(app: APIFlask) -> None:
    client = login(app, "support@example.com")
    thief = copied(app, client)
    assert signed_in(thief)
    page = client.get("/")
    client.post("/logout", data={"csrf_token": csrf_token(page.text)})
    assert not signed_in(client)
    assert not signed_in(thief)


def test_a_new_password_ends_the_sessions_made_before(app: APIFlask) -> None:
    client = login(app, "support@example.com")
    thief = copied(app, client)
    runtime = app.extensions["contractdesk"]
    uow = runtime.unit_of_work()
    with uow:
        user = users.user_by_email(uow.session, "support@example.com")
        credentials.set_password(uow.session, user, PASSWORD, actor=None)
        uow.commit()
    assert not signed_in(thief)
    assert not signed_in(client)


def test_a_new_role_ends_the_sessions_made_before(app: APIFlask) -> None:
    client = login(app, "manager@example.com")
    assert signed_in(client)
    runtime = app.extensions["contractdesk"]
    uow = runtime.unit_of_work()
    with uow:
        user = users.user_by_email(uow.session, "manager@example.com")
        credentials.set_role(uow.session, user, "support", actor=None)
        uow.commit()
    assert not signed_in(client)
    assert signed_in(login(app, "manager@example.com"))


def test_signing_in_makes_a_new_session_whatever_was_planted(app: APIFlask) -> None:
    client = app.test_client()
    client.get("/login")
    planted = client.get_cookie(COOKIE)
    assert planted is not None
    login(app, "support@example.com", client)
    after = client.get_cookie(COOKIE)
    assert after is not None and after.value != planted.value
    with client.session_transaction() as session:
        assert set(session) >= {"user_id", "generation", "signed_in_at", "seen_at"}


def test_a_session_idle_for_longer_than_the_limit_ends(app: APIFlask) -> None:
    client = login(app, "support@example.com")
    with client.session_transaction() as session:
        session["seen_at"] -= 29 * 60
        session["signed_in_at"] -= 29 * 60
    assert signed_in(client)  # 29 minutes idle: still in, and the clock starts again
    with client.session_transaction() as session:
        session["seen_at"] -= 31 * 60
    assert not signed_in(client)


def test_a_session_older_than_the_limit_ends_however_busy(app: APIFlask) -> None:
    client = login(app, "support@example.com")
    with client.session_transaction() as session:
        session["signed_in_at"] -= 12 * 3600 + 60
    assert not signed_in(client)


def test_the_cookie_is_secure_http_only_and_same_site_outside_the_embedded_default(
    app: APIFlask,
) -> None:
    client = app.test_client()
    page = client.get("/login")
    answer = client.post(
        "/login",
        data={
            "csrf_token": csrf_token(page.text),
            "email": "support@example.com",
            "password": PASSWORD,
        },
    )
    header = answer.headers["Set-Cookie"]
    assert "Secure" in header and "HttpOnly" in header and "SameSite=Lax" in header


def test_the_embedded_default_sends_its_cookie_over_plain_http_unless_told(
    tmp_path: Path, postgres_url: str, instance_dir: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    migrate.upgrade(url)
    embedded = Settings(database_url=url, storage_dir=tmp_path / "s", instance_dir=tmp_path / "i")
    assert _secure(embedded) is False
    assert _secure(embedded.model_copy(update={"session_cookie_secure": True})) is True
    production = make_settings(postgres_url, tmp_path, instance_dir, session_cookie_secure=False)
    assert _secure(production) is False


def _secure(settings: Settings) -> object:
    app = create_app(settings)
    app.extensions["contractdesk"].close()
    return app.config["SESSION_COOKIE_SECURE"]


def test_a_signed_in_page_or_file_does_not_send_the_session_cookie_again(app: APIFlask) -> None:
    """The cookie is sent when the session changes (sign-in, its last use once a minute),
    not with every answer: an answer still on its way when a browser's cookies are cleared
    for another user's sign-in would put the old cookie back over the new one, whose CSRF
    token then no longer matches (a browser journey stayed on /login so)."""
    client = login(app, "support@example.com")
    client.get("/")  # the first page's forms give the new session its CSRF token
    for path in ("/", "/static/app.css", "/static/favicon.svg"):
        answer = client.get(path)
        assert answer.status_code == 200
        assert "Set-Cookie" not in answer.headers, path
