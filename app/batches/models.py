from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, IdMixin

PENDING = "pending"
RUNNING = "running"
DONE = "done"
FAILED = "failed"


class Batch(IdMixin, Base):
    """A file of document requests (CSV or JSON Lines), made one row at a time."""

    __tablename__ = "batch"

    created_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user.id"))
    filename: Mapped[str] = mapped_column(String(200))
    total: Mapped[int]

    rows: Mapped[list[BatchRow]] = relationship(
        back_populates="batch", order_by="BatchRow.row", lazy="selectin"
    )


class BatchRow(IdMixin, Base):
    """One request of a batch and what became of it: a document, or the problem."""

    __tablename__ = "batch_row"
    __table_args__ = (UniqueConstraint("batch_id", "row"),)

    batch_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("batch.id"), index=True)
    row: Mapped[int]
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(20), default=PENDING, index=True)
    started_at: Mapped[datetime | None]
    document_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("document.id"))
    problem: Mapped[str] = mapped_column(Text, default="")
    errors: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)

    batch: Mapped[Batch] = relationship(back_populates="rows")
