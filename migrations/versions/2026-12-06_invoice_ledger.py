"""the invoice ledger: invoices, adjustments and credit notes by period; POs per period;
accounts that require a PO; cancellations with an effective date

`invoice` holds one row per invoice or credit note a signed contract gives rise to, unique
by (contract, key) so that a period's invoice is never issued twice. A cancellation of a
licence may credit several invoices (or none), so its `event_id` may be empty.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 06:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "invoice",
        sa.Column("contract_id", sa.Uuid(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("period_number", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("invoice_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("bill_to", sa.JSON(), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("totals", sa.JSON(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("tax_treatment", sa.String(length=40), nullable=False),
        sa.Column("tax_note", sa.Text(), nullable=False),
        sa.Column("po_number", sa.String(length=100), nullable=True),
        sa.Column("contract_number", sa.String(length=40), nullable=False),
        sa.Column("contract_version", sa.Integer(), nullable=False),
        sa.Column("amendments", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["document.id"], name=op.f("fk_invoice_contract_id_document")
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["document.id"], name=op.f("fk_invoice_document_id_document")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["outbox_event.id"], name=op.f("fk_invoice_event_id_outbox_event")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice")),
        sa.UniqueConstraint("contract_id", "key", name=op.f("uq_invoice_contract_id_key")),
    )
    op.create_index(op.f("ix_invoice_contract_id"), "invoice", ["contract_id"])
    op.create_index(op.f("ix_invoice_status"), "invoice", ["status"])
    op.create_table(
        "purchase_order",
        sa.Column("contract_id", sa.Uuid(), nullable=False),
        sa.Column("period_number", sa.Integer(), nullable=False),
        sa.Column("po_number", sa.String(length=100), nullable=False),
        sa.Column("set_by_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["document.id"], name=op.f("fk_purchase_order_contract_id_document")
        ),
        sa.ForeignKeyConstraint(
            ["set_by_id"], ["user.id"], name=op.f("fk_purchase_order_set_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_order")),
        sa.UniqueConstraint(
            "contract_id",
            "period_number",
            name=op.f("uq_purchase_order_contract_id_period_number"),
        ),
    )
    op.add_column(
        "account",
        sa.Column("requires_po", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    with op.batch_alter_table("cancellation") as batch:
        batch.add_column(sa.Column("effective_on", sa.Date(), nullable=True))
        batch.alter_column("event_id", existing_type=sa.Uuid(), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("cancellation") as batch:
        batch.alter_column("event_id", existing_type=sa.Uuid(), nullable=False)
        batch.drop_column("effective_on")
    with op.batch_alter_table("account") as batch:
        batch.drop_column("requires_po")
    op.drop_table("purchase_order")
    op.drop_index(op.f("ix_invoice_status"), table_name="invoice")
    op.drop_index(op.f("ix_invoice_contract_id"), table_name="invoice")
    op.drop_table("invoice")
