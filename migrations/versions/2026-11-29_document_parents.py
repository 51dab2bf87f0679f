"""document parents: amendments and renewals of a licence

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 21:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("document") as batch:
        batch.add_column(sa.Column("parent_id", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("relation", sa.String(length=20), nullable=True))
        batch.create_index(batch.f("ix_document_parent_id"), ["parent_id"])
        batch.create_foreign_key(
            batch.f("fk_document_parent_id_document"), "document", ["parent_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("document") as batch:
        batch.drop_constraint("fk_document_parent_id_document", type_="foreignkey")
        batch.drop_index("ix_document_parent_id")
        batch.drop_column("relation")
        batch.drop_column("parent_id")
