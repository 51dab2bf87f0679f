"""HTTP shapes of webhook endpoints, their deliveries and replays."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field

EventType = Literal[
    "document.created",
    "document.approved",
    "document.sent",
    "document.signed",
    "document.declined",
    "document.expired",
    "invoice.trigger",
    "invoice.credit",
    "renewal.created",
]


class WebhookEndpointIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "url": "https://erp.example.org/hooks/contract-desk",
                    "events": ["invoice.trigger", "invoice.credit"],
                    "description": "ERP billing",
                }
            ]
        },
    )

    url: AnyHttpUrl
    events: list[EventType] = Field(min_length=1)
    description: str = Field(default="", max_length=500)


class WebhookEndpointOut(BaseModel):
    id: uuid.UUID
    url: str
    events: list[str]
    secret: str = Field(description="The signing secret, shown only in this answer")


class WebhookEndpointChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool | None = Field(
        default=None, description="Enable again after a fix: waiting deliveries go, in order"
    )
    events: list[EventType] | None = Field(default=None, min_length=1)
    url: AnyHttpUrl | None = None


class RotateSecretIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    keep_previous_hours: float = Field(
        default=24, ge=0, le=336, description="Both secrets sign every message meanwhile"
    )


class EndpointHealthOut(BaseModel):
    id: uuid.UUID
    url: str
    description: str
    events: list[str]
    enabled: bool
    state: str = Field(description="healthy, failing (a delivery is being retried) or disabled")
    disabled_reason: str
    delivered: int
    pending: int
    failed: int
    last_delivered_at: datetime | None
    oldest_pending_at: datetime | None
    rotating_until: datetime | None = Field(description="While the previous secret still signs")


class EndpointsOut(BaseModel):
    endpoints: list[EndpointHealthOut]


class AttemptOut(BaseModel):
    at: datetime
    status_code: int | None
    duration_ms: int
    response_excerpt: str
    error: str | None


class DeliveryOut(BaseModel):
    id: uuid.UUID
    event_id: uuid.UUID
    webhook_id: str = Field(description="The `webhook-id` header: stable across retries")
    event_type: str
    document_id: uuid.UUID | None
    event_at: datetime
    status: str
    attempts: list[AttemptOut]
    next_attempt_at: datetime | None
    delivered_at: datetime | None


class DeliveriesQuery(BaseModel):
    status: Literal["pending", "delivered", "failed"] | None = None
    before: datetime | None = Field(
        default=None, description="Events before this time: the last `event_at` of a page"
    )


class DeliveriesOut(BaseModel):
    deliveries: list[DeliveryOut]


class ReplayIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    endpoint_id: uuid.UUID | None = Field(
        default=None, description="Only to this endpoint; else to all that take the event type"
    )


class ReplayOut(BaseModel):
    deliveries: list[uuid.UUID]
