"""Attacks on the service's secrets: a published session key, a published demo password,
and metrics open to anyone."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from apiflask import APIFlask

from app import create_app, demo, migrate
from app.config import Settings
from app.users import services as users
from tests.conftest import make_settings

TOKEN = "metrics-token-for-the-scraper"


def _embedded(tmp_path: Path, **extra: object) -> Settings:
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    migrate.upgrade(url)
    return Settings(
        database_url=url,
        storage_dir=tmp_path / "storage",
        instance_dir=tmp_path / "instance",
        **extra,
    )


def test_production_refuses_to_start_without_its_own_secret_key(
    postgres_url: str, tmp_path: Path, instance_dir: Path
) -> None:
    with pytest.raises(RuntimeError, match="set CONTRACTDESK_SECRET_KEY"):
        create_app(make_settings(postgres_url, tmp_path, instance_dir, secret_key=""))
    with pytest.raises(RuntimeError, match="shorter than 16"):
        create_app(make_settings(postgres_url, tmp_path, instance_dir, secret_key="short"))


def test_the_embedded_default_makes_a_secret_key_once_and_keeps_it_private(
    tmp_path: Path,
) -> None:
    first = _secret_key(_embedded(tmp_path))
    kept = tmp_path / "instance" / "secret-key"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert first == kept.read_text().strip()
    assert len(first) >= 32
    assert _secret_key(_embedded(tmp_path)) == first
    assert _secret_key(_embedded(tmp_path / "other")) != first


def _secret_key(settings: Settings) -> str:
    app = create_app(settings)
    app.extensions["contractdesk"].close()
    return str(app.secret_key)


def test_each_demo_user_gets_a_password_of_its_own(tmp_path: Path) -> None:
    app = create_app(_embedded(tmp_path))
    runtime = app.extensions["contractdesk"]
    uow = runtime.unit_of_work()
    with uow:
        seeded = demo.seed(uow.session)
        uow.commit()
    assert seeded.created
    passwords = seeded.passwords
    assert set(passwords) == {email for email, _, _ in demo.USERS}
    assert len(set(passwords.values())) == len(passwords)
    with uow:
        for email, password in passwords.items():
            assert users.authenticate(uow.session, email, password) is not None
            assert users.authenticate(uow.session, email, "contractdesk-demo") is None
    runtime.close()


def test_metrics_are_not_served_to_anyone_in_production(app: APIFlask) -> None:
    answer = app.test_client().get("/metrics")
    assert answer.status_code == 404
    assert b"contractdesk_http_requests_total" not in answer.data


def test_metrics_answer_only_the_bearer_of_the_token(
    postgres_url: str, tmp_path: Path, instance_dir: Path
) -> None:
    app = create_app(make_settings(postgres_url, tmp_path, instance_dir, metrics_token=TOKEN))
    client = app.test_client()
    try:
        assert client.get("/metrics").status_code == 404
        wrong = client.get("/metrics", headers={"Authorization": "Bearer not-the-token"})
        assert wrong.status_code == 404
        right = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert right.status_code == 200
        assert b"contractdesk_http_requests_total" in right.data
    finally:
        app.extensions["contractdesk"].close()


def test_metrics_are_open_on_the_embedded_default(tmp_path: Path) -> None:
    app = create_app(_embedded(tmp_path))
    try:
        assert app.test_client().get("/metrics").status_code == 200
    finally:
        app.extensions["contractdesk"].close()
