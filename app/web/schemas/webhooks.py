"""HTTP shapes of webhook endpoints, their deliveries and replays."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field

from app.assembly.text import Line

EventType = Literal[
    "document.created",
    "document.ready",
    "document.approved",
    "document.sent",
    "document.signed",
    "document.declined",
    "document.expired",
    "invoice.trigger",
    "invoice.credit",
    "renewal.created",
    "renewal.due",
    "document.expiring",
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

    url: AnyHttpUrl = Field(max_length=2000)
    events: list[EventType] = Field(min_length=1, max_length=20)
    description: Line = Field(default="", max_length=500)


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
    events: list[EventType] | None = Field(default=None, min_length=1, max_length=20)
    url: AnyHttpUrl | None = Field(default=None, max_length=2000)


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


class InvoiceLineOut(BaseModel):
    key: str = Field(description="The contract line: stable across amendments and credits")
    sku: str | None
    description: str
    charged_from: date = Field(description="The days of the period this line charges")
    charged_to: date
    quantity: int
    unit_price: str
    discount_percent: str
    amount: str = Field(description="After the line's discount")
    net: str = Field(description="After its share of the header discount: what is taxed")
    tax_category: str
    tax_rate_percent: str
    tax: str
    gross: str


class TaxBandOut(BaseModel):
    tax_rate_percent: str
    net: str
    tax: str


class SchedulePeriodOut(BaseModel):
    period: int
    start: date
    end: date
    invoice_on: date = Field(
        description="Its invoice's date; for a period to come, its first day (in advance)"
    )
    net: str
    tax: str
    total: str
    status: Literal["invoiced", "held", "to_come"]


class ContractRefOut(BaseModel):
    id: uuid.UUID
    number: str
    kind: Literal["licence", "quote"]
    version: int
    amendments: list[str] = Field(description="The signed amendments in force when issued")


class InvoicePeriodOut(BaseModel):
    number: int
    start: date
    end: date


class BillToOut(BaseModel):
    name: str
    address: str
    country: str
    vat_id: str | None
    account_id: str | None
    erp_id: str | None = Field(description="The customer's number in the ERP")


class InvoiceEventData(BaseModel):
    """One invoice, adjustment invoice or credit note: every figure at the top level is
    this one's, and its lines add up to its totals. A credit note's figures are negative."""

    event_id: str = Field(description="Equals the `webhook-id` header")
    invoice_id: uuid.UUID = Field(description="The ledger row: one per invoice, never resent")
    kind: Literal["invoice", "adjustment", "credit"]
    document_id: uuid.UUID = Field(
        description="The document that gave rise to it: the contract, or an amendment"
    )
    document_number: str
    document_version: int
    contract: ContractRefOut
    external_ref: str | None
    bill_to: BillToOut
    po_number: str | None = Field(description="The customer's PO for this period")
    currency: str
    period: InvoicePeriodOut
    invoice_on: date
    due_on: date
    lines: list[InvoiceLineOut]
    subtotal: str
    discount: str
    net: str
    tax: str
    total: str
    tax_bands: list[TaxBandOut]
    tax_treatment: str = Field(
        description="domestic, reverse_charge, configured, outside_scope or given"
    )
    tax_note: str = Field(description="The legal note the invoice prints, if any")
    reason: str = Field(description="A credit's or adjustment's reason, if any")
    schedule: list[SchedulePeriodOut] = Field(
        description="Read-only: the contract's periods as they stand now"
    )


class InvoiceEvent(BaseModel):
    """The body of `invoice.trigger` (an invoice or adjustment invoice) and
    `invoice.credit` (a credit note): one shape for both."""

    type: Literal["invoice.trigger", "invoice.credit"]
    timestamp: datetime
    data: InvoiceEventData


class DocumentEventData(BaseModel):
    """The document an event is about, as a CRM follows it: ids on both sides, its status
    and total; `document.ready` says the files of `version` are made (fetch them from
    the document's URL)."""

    event_id: str = Field(description="Equals the `webhook-id` header")
    document_id: uuid.UUID
    document_number: str
    kind: str
    status: str = Field(description="The document's status (draft, pending_approval, …)")
    version: int = Field(description="The version whose files are ready")
    external_ref: str | None = Field(description="The CRM's id for the deal (opportunity)")
    account_id: uuid.UUID | None
    customer: dict[str, str | None]
    currency: str
    total: str


class DocumentEvent(BaseModel):
    """The body of `document.ready`: the files of a created, revised or regenerated
    version were rendered and stored."""

    type: Literal["document.ready"]
    timestamp: datetime
    data: DocumentEventData
