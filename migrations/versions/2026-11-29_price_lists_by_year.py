"""price lists by year

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 20:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("price") as batch:
        batch.add_column(sa.Column("year", sa.Integer(), nullable=False, server_default="2026"))
        batch.drop_constraint("uq_price_product_id_currency", type_="unique")
        batch.create_unique_constraint(
            batch.f("uq_price_product_id_currency_year"), ["product_id", "currency", "year"]
        )
    with op.batch_alter_table("price") as batch:
        batch.alter_column("year", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("price") as batch:
        batch.drop_constraint("uq_price_product_id_currency_year", type_="unique")
        batch.create_unique_constraint(
            batch.f("uq_price_product_id_currency"), ["product_id", "currency"]
        )
        batch.drop_column("year")
