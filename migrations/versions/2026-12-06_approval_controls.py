"""approval controls: editors, approver role and figures, dated exchange rates, template
publisher

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 02:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("document", sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "approval", sa.Column("role", sa.String(length=20), nullable=False, server_default="")
    )
    op.add_column(
        "approval", sa.Column("figures", sa.JSON(), nullable=False, server_default="{}")
    )
    with op.batch_alter_table("template_version") as batch:
        batch.add_column(sa.Column("published_by_id", sa.Uuid(), nullable=True))
        batch.create_foreign_key(
            "fk_template_version_published_by_id_user", "user", ["published_by_id"], ["id"]
        )
    op.create_table(
        "document_edit",
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("material", sa.JSON(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"], ["document.id"], name=op.f("fk_document_edit_document_id_document")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_document_edit_user_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_edit")),
    )
    op.create_index(
        op.f("ix_document_edit_document_id"), "document_edit", ["document_id"], unique=False
    )
    op.create_table(
        "exchange_rate",
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("base_currency", sa.String(length=3), nullable=False),
        sa.Column("rate", sa.Numeric(precision=18, scale=8), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["user.id"], name=op.f("fk_exchange_rate_recorded_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_rate")),
        sa.UniqueConstraint(
            "currency",
            "base_currency",
            "valid_from",
            name=op.f("uq_exchange_rate_currency_base_currency_valid_from"),
        ),
    )


def downgrade() -> None:
    op.drop_table("exchange_rate")
    op.drop_index(op.f("ix_document_edit_document_id"), table_name="document_edit")
    op.drop_table("document_edit")
    with op.batch_alter_table("template_version") as batch:
        batch.drop_constraint("fk_template_version_published_by_id_user", type_="foreignkey")
        batch.drop_column("published_by_id")
    op.drop_column("approval", "figures")
    op.drop_column("approval", "role")
    op.drop_column("document", "approved_at")
