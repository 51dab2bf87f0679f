"""renewals store their pipeline values; the renewal sweep's picks by indexed columns

The renewal pipeline priced every open renewal on each view (14 s at a million
documents); a renewal now stores its first day, its net annual value and its net term
value when it is written, and the report adds them up from one partial index. Existing
renewals are priced here, a thousand at a time. A document's approvals are found by an
index (the approval queue and the order-to-bill report read them for many documents).

Revision ID: 0028_scale2_renewal_values
Revises: 0027_scale_indexes
Create Date: 2026-12-07 03:30:00.000000
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from app.assembly.subscription.renewal_values import stored_values

revision: str = "0028_scale2_renewal_values"
down_revision: str | None = "0027_scale_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def upgrade() -> None:
    op.add_column("document", sa.Column("renewal_starts_on", sa.Date(), nullable=True))
    op.add_column("document", sa.Column("renewal_net_annual", sa.Numeric(18, 2), nullable=True))
    op.add_column("document", sa.Column("renewal_net_term", sa.Numeric(18, 2), nullable=True))
    bind = op.get_bind()
    after = ""
    while True:
        batch = bind.execute(
            sa.text(
                "SELECT id, data, totals FROM document WHERE relation = 'renewal'"
                " AND CAST(id AS VARCHAR(36)) > :after"
                " ORDER BY CAST(id AS VARCHAR(36)) LIMIT :batch"
            ),
            {"after": after, "batch": BATCH},
        ).all()
        for id_, data, totals in batch:
            values = stored_values(_json(data), _json(totals))
            bind.execute(
                sa.text(
                    "UPDATE document SET renewal_starts_on = :starts, renewal_net_annual = "
                    ":annual, renewal_net_term = :term WHERE id = :id"
                ),
                {
                    "starts": values.starts_on,
                    "annual": values.net_annual,
                    "term": values.net_term,
                    "id": id_,
                },
            )
        if len(batch) < BATCH:
            break
        after = str(batch[-1][0])
    op.create_index(
        "ix_document_renewal_values",
        "document",
        [
            "status",
            "account_id",
            "currency",
            "renewal_starts_on",
            "renewal_net_annual",
            "renewal_net_term",
        ],
        postgresql_where=sa.text("relation = 'renewal'"),
        sqlite_where=sa.text("relation = 'renewal'"),
    )
    op.create_index("ix_approval_document_id", "approval", ["document_id"])


def downgrade() -> None:
    op.drop_index("ix_approval_document_id", table_name="approval")
    op.drop_index("ix_document_renewal_values", table_name="document")
    op.drop_column("document", "renewal_net_term")
    op.drop_column("document", "renewal_net_annual")
    op.drop_column("document", "renewal_starts_on")
