"""signers: the title (position) a signer signs in, shown in the signature block

Revision ID: 0023_signer_title
Revises: 0022
Create Date: 2026-12-06 23:10:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023_signer_title"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("signer") as batch:
        batch.add_column(sa.Column("title", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("signer") as batch:
        batch.drop_column("title")
