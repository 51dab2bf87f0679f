"""users: a session generation, so that signing out, a new password or a new role ends the
user's sessions

A page session is a signed cookie that carries the generation it was made in; each request
compares it with the user's. Signing out, changing the password or the role moves the
user's generation on, and every cookie made before (a copied one included) stops working.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 20:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user") as batch:
        batch.add_column(
            sa.Column("session_generation", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("user") as batch:
        batch.drop_column("session_generation")
