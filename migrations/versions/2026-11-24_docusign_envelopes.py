"""docusign envelopes: send attempts, reasons, recipients, provider events

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 13:05:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("envelope", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "document_status_before", sa.String(length=30), nullable=False, server_default=""
            )
        )
        batch_op.add_column(sa.Column("reason", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("attempts", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("next_attempt_at", sa.DateTime(timezone=True)))
        batch_op.add_column(sa.Column("provider_updated_at", sa.DateTime(timezone=True)))
        batch_op.add_column(sa.Column("polled_at", sa.DateTime(timezone=True)))
        batch_op.add_column(sa.Column("reminder_after_days", sa.Integer()))
        batch_op.add_column(sa.Column("reminder_every_days", sa.Integer()))
        batch_op.add_column(sa.Column("expire_after_days", sa.Integer()))
    with op.batch_alter_table("signer", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("role", sa.String(length=20), nullable=False, server_default="signer")
        )
        batch_op.add_column(sa.Column("provider_recipient_id", sa.String(length=40)))
        batch_op.add_column(
            sa.Column("embedded", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("signing_group", sa.String(length=100)))
        batch_op.add_column(sa.Column("opened_at", sa.DateTime(timezone=True)))
        batch_op.add_column(sa.Column("opened_ip", sa.String(length=64)))
        batch_op.add_column(sa.Column("opened_user_agent", sa.Text()))
    op.create_table(
        "provider_event",
        sa.Column("provider", sa.String(length=40), nullable=False),
        sa.Column("event_key", sa.String(length=64), nullable=False),
        sa.Column("event", sa.String(length=60), nullable=False),
        sa.Column("envelope_ref", sa.String(length=200), nullable=False),
        sa.Column("generated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=40), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_event")),
        sa.UniqueConstraint("event_key", name=op.f("uq_provider_event_event_key")),
    )
    with op.batch_alter_table("provider_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_provider_event_envelope_ref"), ["envelope_ref"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("provider_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_provider_event_envelope_ref"))
    op.drop_table("provider_event")
    with op.batch_alter_table("signer", schema=None) as batch_op:
        for column in ("opened_user_agent", "opened_ip", "opened_at", "signing_group"):
            batch_op.drop_column(column)
        batch_op.drop_column("embedded")
        batch_op.drop_column("provider_recipient_id")
        batch_op.drop_column("role")
    with op.batch_alter_table("envelope", schema=None) as batch_op:
        for column in (
            "expire_after_days",
            "reminder_every_days",
            "reminder_after_days",
            "polled_at",
            "provider_updated_at",
            "next_attempt_at",
            "attempts",
            "reason",
            "document_status_before",
        ):
            batch_op.drop_column(column)
