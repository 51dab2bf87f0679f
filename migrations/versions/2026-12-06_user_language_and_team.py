"""users: a language of their own or none (then the browser's), and a team

A user's team groups sellers who share work (a region's desk); the home page lists a user's
own documents first, then their team's.

Until now every user had a language, `en` by default, so a Dutch user who never used the
switch got English pages whatever their browser asked for. A user's language is now their
own choice or nothing; with nothing, the pages follow the browser's Accept-Language. The
stored `en` cannot tell a choice from the old default, so it becomes "not chosen": an
English browser still gets English, and a user who wants English in a Dutch browser
chooses it once more.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 03:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user") as batch:
        batch.alter_column(
            "language", existing_type=sa.String(length=5), nullable=True, server_default=None
        )
    op.execute("UPDATE \"user\" SET language = NULL WHERE language = 'en'")
    op.add_column("user", sa.Column("team", sa.String(length=80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("user") as batch:
        batch.drop_column("team")
    op.execute("UPDATE \"user\" SET language = 'en' WHERE language IS NULL")
    with op.batch_alter_table("user") as batch:
        batch.alter_column(
            "language", existing_type=sa.String(length=5), nullable=False, server_default="en"
        )
