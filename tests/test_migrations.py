"""The migrations make exactly the schema the models describe, on both databases
(PostgreSQL is migrated by the session fixture)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Boolean, DateTime, Uuid, column, create_engine, insert, table, text

from app.migrate import upgrade
from app.models import Base
from tests.conftest import ADMIN_URL


@pytest.mark.parametrize("dialect", ["postgresql", "sqlite"])
def test_the_migrated_schema_matches_the_models(
    dialect: str, postgres_url: str, tmp_path: Path
) -> None:
    url = postgres_url if dialect == "postgresql" else f"sqlite:///{tmp_path / 'm.db'}"
    if dialect == "sqlite":
        upgrade(url)
    engine = create_engine(url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == []


@pytest.mark.parametrize("dialect", ["postgresql", "sqlite"])
def test_keys_made_before_scopes_keep_what_their_role_allows(dialect: str, tmp_path: Path) -> None:
    if dialect == "sqlite":
        _check_key_scopes(f"sqlite:///{tmp_path / 'k.db'}")
    else:
        name = f"contractdesk_keys_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        base = ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
        try:
            _check_key_scopes(f"{base}/{name}")
        finally:
            with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_USER = table(
    "user",
    column("id", Uuid()),
    column("created_at", DateTime(timezone=True)),
    column("email"),
    column("name"),
    column("role"),
    column("active", Boolean()),
)
_KEY = table(
    "api_key",
    column("id", Uuid()),
    column("created_at", DateTime(timezone=True)),
    column("user_id", Uuid()),
    column("name"),
    column("prefix"),
    column("key_hash"),
)


def _check_key_scopes(url: str) -> None:
    upgrade(url, "0009")
    engine = create_engine(url)
    now = datetime.now(UTC)
    with engine.begin() as connection:
        for role in ("finance", "support"):
            user_id = uuid.uuid4()
            connection.execute(
                insert(_USER).values(
                    id=user_id,
                    created_at=now,
                    email=f"{role}@x.org",
                    name=role,
                    role=role,
                    active=True,
                )
            )
            connection.execute(
                insert(_KEY).values(
                    id=uuid.uuid4(),
                    created_at=now,
                    user_id=user_id,
                    name="old",
                    prefix="cd_old",
                    key_hash=uuid.uuid4().hex + uuid.uuid4().hex,
                )
            )
    upgrade(url)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                'SELECT "user".role, api_key.scopes FROM api_key '
                'JOIN "user" ON "user".id = api_key.user_id'
            )
        ).all()
    engine.dispose()
    scopes = {role: json.loads(s) if isinstance(s, str) else s for role, s in rows}
    assert scopes == {
        "finance": ["documents:read", "documents:write", "webhooks:manage"],
        "support": ["documents:read", "documents:send", "documents:write"],
    }


def test_products_made_before_tax_by_line_are_standard_and_the_rate_table_starts_empty(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 't.db'}"
    upgrade(url, "0018")
    engine = create_engine(url)
    product = table(
        "product",
        column("id", Uuid()),
        column("created_at", DateTime(timezone=True)),
        column("sku"),
        column("name"),
        column("kind"),
        column("description"),
        column("unit"),
    )
    with engine.begin() as connection:
        connection.execute(
            insert(product).values(
                id=uuid.uuid4(),
                created_at=datetime.now(UTC),
                sku="JNL-OLD",
                name="An older journal package",
                kind="journal_package",
                description="",
                unit="subscription",
            )
        )
    upgrade(url)
    with engine.connect() as connection:
        categories = connection.execute(text("SELECT sku, tax_category FROM product")).all()
        rates = connection.execute(text("SELECT count(*) FROM tax_rate")).scalar_one()
    engine.dispose()
    assert (categories, rates) == ([("JNL-OLD", "standard")], 0)
