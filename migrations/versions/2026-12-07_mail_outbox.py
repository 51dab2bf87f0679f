"""mail outbox: messages written with the change that causes them, and opt-outs

Revision ID: 0026_mail_outbox
Revises: 0025_async_render_status
Create Date: 2026-12-07 02:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026_mail_outbox"
down_revision: str | None = "0025_async_render_status"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _stamp() -> list[sa.Column]:
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "mail_message",
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("message_id", sa.String(200), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("reply_to", sa.String(320), nullable=True),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("language", sa.String(5), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("attachment", sa.JSON(), nullable=True),
        sa.Column("document_id", sa.Uuid(), nullable=True),
        sa.Column("sender_id", sa.Uuid(), nullable=True),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        *_stamp(),
        sa.ForeignKeyConstraint(
            ["document_id"], ["document.id"], name=op.f("fk_mail_message_document_id_document")
        ),
        sa.ForeignKeyConstraint(
            ["sender_id"], ["user.id"], name=op.f("fk_mail_message_sender_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_message")),
        sa.UniqueConstraint("key", name=op.f("uq_mail_message_key")),
        sa.UniqueConstraint("message_id", name=op.f("uq_mail_message_message_id")),
    )
    op.create_index(op.f("ix_mail_message_kind"), "mail_message", ["kind"])
    op.create_index(op.f("ix_mail_message_state"), "mail_message", ["state"])
    op.create_index(op.f("ix_mail_message_document_id"), "mail_message", ["document_id"])
    op.create_table(
        "mail_opt_out",
        sa.Column("address", sa.String(320), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        *_stamp(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_opt_out")),
        sa.UniqueConstraint("address", "kind", name=op.f("uq_mail_opt_out_address_kind")),
    )


def downgrade() -> None:
    op.drop_table("mail_opt_out")
    op.drop_table("mail_message")
