"""tax by line: a tax category on each product, and the VAT rate table

Each product carries a tax category (data, e.g. `e-publication`); every product made so far
is `standard`. The rate table holds rates per country and category with their validity
dates. It starts empty: until finance fills it, `CONTRACTDESK_TAX_RATES` gives each
country's standard rate, as before.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 06:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "product",
        sa.Column(
            "tax_category", sa.String(length=40), nullable=False, server_default="standard"
        ),
    )
    op.create_table(
        "tax_rate",
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("rate_percent", sa.Numeric(precision=7, scale=4), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("exempt", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tax_rate")),
        sa.UniqueConstraint(
            "country",
            "category",
            "valid_from",
            name=op.f("uq_tax_rate_country_category_valid_from"),
        ),
    )


def downgrade() -> None:
    op.drop_table("tax_rate")
    with op.batch_alter_table("product") as batch:
        batch.drop_column("tax_category")
