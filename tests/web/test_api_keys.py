"""API keys as an admin hands them out and a CRM uses them: scopes, shown once, stored as
hashes, last use recorded, revoked at once."""

from __future__ import annotations

import hashlib
import re

from apiflask import APIFlask
from sqlalchemy import select

from app.users.models import ApiKey
from tests.conftest import PASSWORD, WAIT, bearer, csrf_token, row_counts
from tests.support.flows import plain_quote_request


def test_an_admin_gives_a_crm_a_read_only_key_and_revokes_it(app: APIFlask) -> None:
    client = app.test_client()
    admin = bearer(app, "admin@example.com")
    made = client.post(
        "/api/v1/api-keys",
        json={"user": "support@example.com", "name": "BI dashboard", "scopes": ["documents:read"]},
        headers=admin,
    )
    assert made.status_code == 201, made.json
    key = made.json["key"]
    assert made.json["scopes"] == ["documents:read"] and key.startswith(made.json["prefix"])
    reader = {"Authorization": f"Bearer {key}"}

    runtime = app.extensions["contractdesk"]
    uow = runtime.unit_of_work()
    with uow:
        record = uow.session.scalar(select(ApiKey).where(ApiKey.name == "BI dashboard"))
        assert record is not None
        assert record.key_hash == hashlib.sha256(key.encode()).hexdigest()
        assert record.last_used_at is None

    assert client.get("/api/v1/products", headers=reader).status_code == 200
    before = row_counts(runtime)
    refused = client.post(
        "/api/v1/documents", json=plain_quote_request(app), headers={**reader, **WAIT}
    )
    assert refused.status_code == 403
    assert refused.mimetype == "application/problem+json"
    assert row_counts(runtime) == before
    preview = client.post(
        "/api/v1/documents:preview", json=plain_quote_request(app), headers=reader
    )
    assert preview.status_code == 200  # reading figures is reading

    listed = client.get("/api/v1/api-keys", headers=admin).json["keys"]
    mine = next(k for k in listed if k["name"] == "BI dashboard")
    assert mine["last_used_at"] is not None and "key" not in mine

    revoked = client.delete(f"/api/v1/api-keys/{mine['id']}", headers=admin)
    assert revoked.status_code == 200 and revoked.json["revoked_at"] is not None
    assert client.get("/api/v1/products", headers=reader).status_code == 401


def test_only_admins_manage_keys_and_only_within_the_users_role(app: APIFlask) -> None:
    client = app.test_client()
    support = bearer(app, "support@example.com")
    assert client.get("/api/v1/api-keys", headers=support).status_code == 403
    beyond = client.post(
        "/api/v1/api-keys",
        json={"user": "support@example.com", "name": "x", "scopes": ["webhooks:manage"]},
        headers=bearer(app, "admin@example.com"),
    )
    assert beyond.status_code == 422
    assert "webhooks:manage" in beyond.json["errors"][0]["detail"]
    finance_hooks = client.post(
        "/api/v1/webhook-endpoints",
        json={"url": "https://erp.example.org/hooks", "events": ["invoice.trigger"]},
        headers=support,
    )
    assert finance_hooks.status_code == 403


def test_the_admin_page_shows_a_new_key_once(app: APIFlask) -> None:
    client = app.test_client()
    login = client.get("/login")
    client.post(
        "/login",
        data={
            "email": "admin@example.com",
            "password": PASSWORD,
            "csrf_token": csrf_token(login.text),
        },
    )
    page = client.get("/admin/api-keys")
    assert page.status_code == 200
    made = client.post(
        "/admin/api-keys",
        data={
            "csrf_token": csrf_token(page.text),
            "user": "finance@example.com",
            "name": "ERP poller",
            "scopes": ["documents:read", "webhooks:manage"],
        },
    )
    assert made.status_code == 201
    key = re.search(r'id="new-key">(cd_[^<]+)<', made.text)
    assert key is not None
    again = client.get("/admin/api-keys").text
    assert key.group(1) not in again and key.group(1)[:10] in again
    works = client.get("/api/v1/products", headers={"Authorization": f"Bearer {key.group(1)}"})
    assert works.status_code == 200
