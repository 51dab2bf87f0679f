"""The approval matrix, its dated exchange rates and the per-document explanation."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.assembly.codes import Currency


class TierOut(BaseModel):
    name: str
    role: str
    step: int
    when: dict[str, Any] = Field(description="The conditions, all of which must hold")


class ControlOut(BaseModel):
    rule: str
    says: str


class MatrixOut(BaseModel):
    base_currency: str
    value_figure: str = Field(description="term (whole term) or annual (the largest year)")
    ranks: list[str] = Field(description="Authority, lowest first")
    split_window_days: int
    exchange_rates: dict[str, str] = Field(
        description="The file's rates, used where finance kept none"
    )
    tiers: list[TierOut]
    controls: list[ControlOut]


class RateIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"currency": "GBP", "rate": "1.1650", "valid_from": "2027-01-01"}]
        },
    )

    currency: Currency
    rate: str = Field(
        max_length=40,
        pattern=r"^\d+(\.\d+)?$",
        description="What one unit is worth in the base currency",
    )
    valid_from: date


class RateOut(BaseModel):
    id: uuid.UUID
    currency: str
    base_currency: str
    rate: str
    valid_from: date
    recorded_by: str
    recorded_at: datetime


class RatesOut(BaseModel):
    items: list[RateOut]


class ConditionOut(BaseModel):
    code: str
    figures: dict[str, Any]
    text: str
    holds: bool


class TierExplainedOut(BaseModel):
    rule: str
    role: str
    step: int
    fires: bool
    conditions: list[ConditionOut]


class BarredOut(BaseModel):
    email: str
    why: str


class ExplanationOut(BaseModel):
    number: str
    status: str
    base_currency: str
    value_figure: str
    facts: dict[str, Any] = Field(
        description="The effective discount (and the line that governs), the net values, "
        "the rate used, the term and the non-standard clauses"
    )
    tiers: list[TierExplainedOut]
    outstanding: list[str]
    barred: list[BarredOut] = Field(description="Who may not decide this document, and why")


class SplitOut(BaseModel):
    numbers: list[str] = Field(description="The documents valued together, oldest first")
    combined_value: str
    base_currency: str
    would_need: list[str] = Field(description="Tiers the combined value would have fired")
    window_days: int


class WaitingOut(BaseModel):
    id: uuid.UUID
    number: str
    customer_name: str
    rules: list[dict[str, Any]] = Field(description="The tiers of the current step you may decide")
    effective_discount_percent: str
    split: SplitOut | None = Field(
        default=None, description="A possible deal split: a flag for the approver, not a block"
    )


class QueueQuery(BaseModel):
    after: uuid.UUID | None = Field(
        default=None, description="The last document of the page before (its `next_after`)"
    )
    limit: int = Field(default=50, ge=1, le=200)


class QueueOut(BaseModel):
    items: list[WaitingOut]
    total: int = Field(default=0, description="How many wait for the caller in all")
    next_after: uuid.UUID | None = Field(
        default=None, description="Pass as `after` for the next page; null on the last page"
    )
