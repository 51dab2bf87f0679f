"""approvals: what the change that voided one changed, kept structured

`reset_reason` keeps the API's English sentence; `reset_changes` keeps the changed fields
and figures so that the pages say them in the reader's language. Approvals voided before
this keep only their sentence.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 04:05:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("approval", sa.Column("reset_changes", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("approval") as batch:
        batch.drop_column("reset_changes")
