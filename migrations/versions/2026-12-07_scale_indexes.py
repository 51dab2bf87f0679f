"""indexes for a million documents: keyset pages, filters, searches and sweeps

The document list walks (created_at, id) newest first, alone or within a status, a
customer or a creator; the sweeps pick licences and quotes by kind and status. Searching
a part of a customer's name or a document's number (ILIKE '%x%') uses trigram indexes,
which only PostgreSQL has (pg_trgm); elsewhere the same names are plain indexes and
the search scans, as it did.

Revision ID: 0027_scale_indexes
Revises: 0026_mail_outbox
Create Date: 2026-12-07 02:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0027_scale_indexes"
down_revision: str | None = "0026_mail_outbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEYSET = {
    "ix_document_created": ["created_at", "id"],
    "ix_document_status_created": ["status", "created_at", "id"],
    "ix_document_account_created": ["account_id", "created_at", "id"],
    "ix_document_creator_created": ["created_by_id", "created_at", "id"],
    "ix_document_kind_status": ["kind", "status"],
}
TRIGRAM = {
    "ix_account_name_trgm": ("account", "name"),
    "ix_document_number_trgm": ("document", "number"),
}


def upgrade() -> None:
    for name, columns in KEYSET.items():
        op.create_index(name, "document", columns)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, (table, column) in TRIGRAM.items():
            op.execute(f"CREATE INDEX {name} ON {table} USING gin ({column} gin_trgm_ops)")
    else:
        for name, (table, column) in TRIGRAM.items():
            op.create_index(name, table, [column])


def downgrade() -> None:
    for name, (table, _) in TRIGRAM.items():
        op.drop_index(name, table_name=table)
    for name in KEYSET:
        op.drop_index(name, table_name="document")
