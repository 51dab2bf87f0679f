"""user language

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 00:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # ADD COLUMN with a default is enough on both databases; no table copy is needed.
    op.add_column(
        "user", sa.Column("language", sa.String(length=5), nullable=False, server_default="en")
    )


def downgrade() -> None:
    with op.batch_alter_table("user") as batch:
        batch.drop_column("language")
