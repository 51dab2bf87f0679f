"""document version inputs: what each stored version was made from

A revision replaces a document's data, customer, figures and pinned clauses, so an earlier
version could not be rendered again to verify it. Each version stored from now on keeps a
copy of what it was made from; versions stored before this have none (verify says so).

Revision ID: 0024_version_inputs
Revises: 0023_signer_title
Create Date: 2026-12-07 00:10:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024_version_inputs"
down_revision: str | None = "0023_signer_title"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "document_version_input",
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("template_version_id", sa.Uuid(), nullable=False),
        sa.Column("clause_version_ids", sa.JSON(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("customer", sa.JSON(), nullable=False),
        sa.Column("totals", sa.JSON(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=True),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
            name=op.f("fk_document_version_input_account_id_account"),
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
            name=op.f("fk_document_version_input_document_id_document"),
        ),
        sa.ForeignKeyConstraint(
            ["template_version_id"],
            ["template_version.id"],
            name=op.f("fk_document_version_input_template_version_id_template_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_version_input")),
        sa.UniqueConstraint(
            "document_id", "version", name=op.f("uq_document_version_input_document_id_version")
        ),
    )


def downgrade() -> None:
    op.drop_table("document_version_input")
