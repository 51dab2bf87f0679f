"""api key scopes

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 22:30:00.000000

Keys made before scopes keep what their user's role allows.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ROLE_SCOPES = {
    "support": ["documents:read", "documents:send", "documents:write"],
    "manager": ["documents:read", "documents:send", "documents:write"],
    "director": ["documents:read", "documents:write"],
    "legal": ["documents:read", "documents:write"],
    "finance": ["documents:read", "documents:write", "webhooks:manage"],
    "admin": ["admin", "documents:read", "documents:send", "documents:write", "webhooks:manage"],
}


def upgrade() -> None:
    with op.batch_alter_table("api_key") as batch:
        batch.add_column(sa.Column("scopes", sa.JSON(), nullable=False, server_default="[]"))
    with op.batch_alter_table("api_key") as batch:
        batch.alter_column("scopes", server_default=None)
    connection = op.get_bind()
    keys = connection.execute(
        sa.text(
            'SELECT api_key.id, "user".role FROM api_key JOIN "user" ON "user".id = api_key.user_id'
        )
    ).all()
    value = "CAST(:scopes AS JSON)" if connection.dialect.name == "postgresql" else ":scopes"
    for key_id, role in keys:
        connection.execute(
            sa.text(f"UPDATE api_key SET scopes = {value} WHERE id = :id"),  # noqa: S608
            {"scopes": json.dumps(_ROLE_SCOPES.get(role, ["documents:read"])), "id": key_id},
        )


def downgrade() -> None:
    with op.batch_alter_table("api_key") as batch:
        batch.drop_column("scopes")
