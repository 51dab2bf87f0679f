"""number reservations

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 04:00:49.807975
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "number_reservation",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("reserved_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", "value", name=op.f("pk_number_reservation")),
    )
    op.create_table(
        "released_number",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", "value", name=op.f("pk_released_number")),
    )


def downgrade() -> None:
    op.drop_table("released_number")
    op.drop_table("number_reservation")
