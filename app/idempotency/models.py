from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, IdMixin

IN_PROGRESS = "in_progress"
DONE = "done"


class IdempotentRequest(IdMixin, Base):
    """A POST made with an `Idempotency-Key`: what was asked (its hash) and, once
    answered, the answer, replayed to a retry of the same request for 24 hours."""

    __tablename__ = "idempotent_request"
    __table_args__ = (UniqueConstraint("caller", "key"),)

    caller: Mapped[str] = mapped_column(String(64))
    """The SHA-256 of the API key presented: keys are per caller."""
    key: Mapped[str] = mapped_column(String(255))
    request_sha256: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(20))
    response_status: Mapped[int | None]
    response_headers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary)
    expires_at: Mapped[datetime]
