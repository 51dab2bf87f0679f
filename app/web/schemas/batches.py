"""HTTP shapes of batches."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from app.assembly.text import Line


class BatchQuery(BaseModel):
    filename: Line = Field(
        default="batch",
        max_length=200,
        description="Tells CSV (.csv) from JSON Lines (.jsonl)",
    )


class BatchRowOut(BaseModel):
    row: int = Field(description="The line (JSON Lines) or the record after the header (CSV)")
    state: str = Field(description="pending, running, done or failed")
    document_id: uuid.UUID | None
    document_url: str | None
    problem: str
    errors: list[dict[str, str]] = Field(description="JSON pointers into the row's request")


class BatchOut(BaseModel):
    id: uuid.UUID
    filename: str
    total: int
    pending: int
    running: int
    done: int
    failed: int
    finished: bool
    created_at: datetime
    rows: list[BatchRowOut] | None = Field(
        default=None, description="Each row's result (GET of one batch)"
    )
