"""cancellations

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 22:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cancellation",
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("net", sa.String(length=40), nullable=False),
        sa.Column("tax", sa.String(length=40), nullable=False),
        sa.Column("total", sa.String(length=40), nullable=False),
        sa.Column("whole", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("cancelled_by_id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cancelled_by_id"], ["user.id"], name=op.f("fk_cancellation_cancelled_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["document.id"], name=op.f("fk_cancellation_document_id_document")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["outbox_event.id"], name=op.f("fk_cancellation_event_id_outbox_event")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cancellation")),
    )
    op.create_index(op.f("ix_cancellation_document_id"), "cancellation", ["document_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_cancellation_document_id"), table_name="cancellation")
    op.drop_table("cancellation")
