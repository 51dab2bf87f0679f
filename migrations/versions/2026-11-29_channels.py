"""where documents were created and sent from

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 01:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "document",
        sa.Column("created_via", sa.String(length=10), nullable=False, server_default="page"),
    )
    op.add_column(
        "envelope",
        sa.Column("sent_via", sa.String(length=10), nullable=False, server_default="page"),
    )


def downgrade() -> None:
    with op.batch_alter_table("envelope") as batch:
        batch.drop_column("sent_via")
    with op.batch_alter_table("document") as batch:
        batch.drop_column("created_via")
