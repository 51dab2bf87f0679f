"""clause workflow, variants and playbook positions; template archives; approval rules

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 12:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("clause_version", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("jurisdiction", sa.String(length=40), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("position", sa.String(length=20), nullable=False, server_default="preferred")
        )
        batch_op.add_column(
            sa.Column("title", sa.String(length=300), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("author_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("approved_by_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("review_comment", sa.Text(), nullable=False, server_default="")
        )
        batch_op.drop_constraint("uq_clause_version_clause_id_version_language", type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_clause_version_clause_id_language_jurisdiction_position_version"),
            ["clause_id", "language", "jurisdiction", "position", "version"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_clause_version_author_id_user"), "user", ["author_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_clause_version_approved_by_id_user"), "user", ["approved_by_id"], ["id"]
        )
    op.execute(
        "UPDATE clause_version SET title = "
        "(SELECT clause.title FROM clause WHERE clause.id = clause_version.clause_id)"
    )

    with op.batch_alter_table("template_version", schema=None) as batch_op:
        batch_op.add_column(sa.Column("archive", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("uploaded_by_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("published_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_template_version_uploaded_by_id_user"),
            "user",
            ["uploaded_by_id"],
            ["id"],
        )
    # Versions from before archives were kept have no files to render from: retire them,
    # and `contractdesk init` publishes the shipped packages again as new versions.
    op.execute("UPDATE template_version SET status = 'retired' WHERE archive IS NULL")

    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("non_standard", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("approval", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("rule", sa.String(length=60), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("approval", schema=None) as batch_op:
        batch_op.drop_column("rule")    # Versions from before archives were kept have no files to render from: retire them,
    # and `contractdesk init` publishes the shipped packages again as new versions.
    op.execute("UPDATE template_version SET status = 'retired' WHERE archive IS NULL")

    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_column("non_standard")
    with op.batch_alter_table("template_version", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_template_version_uploaded_by_id_user"), type_="foreignkey"
        )
        batch_op.drop_column("published_at")
        batch_op.drop_column("uploaded_by_id")
        batch_op.drop_column("archive")
    with op.batch_alter_table("clause_version", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_clause_version_approved_by_id_user"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("fk_clause_version_author_id_user"), type_="foreignkey")
        batch_op.drop_constraint(
            batch_op.f("uq_clause_version_clause_id_language_jurisdiction_position_version"),
            type_="unique",
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_clause_version_clause_id_version_language"),
            ["clause_id", "version", "language"],
        )
        for column in (
            "review_comment",
            "approved_at",
            "approved_by_id",
            "author_id",
            "title",
            "position",
            "jurisdiction",
        ):
            batch_op.drop_column(column)
