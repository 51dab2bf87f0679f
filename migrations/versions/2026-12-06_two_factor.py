"""users: a TOTP second factor and the last code step used

`totp_secret` is the shared secret of the user's authenticator app (RFC 6238), set at
enrolment; `totp_last_step` the 30-second step of the last code accepted, so that a code
is used once (one seen over a shoulder or in a proxy log cannot be replayed).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 21:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user") as batch:
        batch.add_column(sa.Column("totp_secret", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("totp_last_step", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("user") as batch:
        batch.drop_column("totp_last_step")
        batch.drop_column("totp_secret")
