"""The migrations make exactly the schema the models describe, on both databases
(PostgreSQL is migrated by the session fixture)."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from app.migrate import upgrade
from app.models import Base


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
