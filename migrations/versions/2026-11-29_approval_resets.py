"""approval resets

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 20:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("approval") as batch:
        batch.add_column(sa.Column("reset_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("reset_reason", sa.Text(), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("approval") as batch:
        batch.drop_column("reset_reason")
        batch.drop_column("reset_at")
