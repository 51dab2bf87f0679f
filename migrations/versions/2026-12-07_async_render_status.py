"""document render status: create, revise and regenerate answer before the render

The files of a document's current version are made by a job after the request commits;
`render_status` says whether they are rendering, ready or failed (with `render_error`).
Documents made before this were rendered in the request: ready.

Revision ID: 0025_async_render_status
Revises: 0024_version_inputs
Create Date: 2026-12-07 02:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025_async_render_status"
down_revision: str | None = "0024_version_inputs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "document",
        sa.Column("render_status", sa.String(length=20), nullable=False, server_default="ready"),
    )
    op.add_column("document", sa.Column("render_error", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("document", "render_error")
    op.drop_column("document", "render_status")
