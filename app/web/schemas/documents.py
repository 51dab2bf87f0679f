"""HTTP shapes of the documents API: what CRM buttons send and what they get back."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from app.assembly.text import Line, Text
from app.documents.models import DocumentStatus, RenderStatus

DocumentKind = Literal["quote", "licence", "amendment", "title-list"]


class DocumentIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "template": "quote",
                    "external_ref": "OPP-2026-0042",
                    "data": {
                        "account": "00000000-0000-0000-0000-000000000000",
                        "currency": "EUR",
                        "lines": [
                            {"sku": "JNL-PHYS", "quantity": 1, "discount_percent": "5"},
                            {
                                "description": "Training day on site",
                                "unit_price": "950.00",
                                "quantity": 1,
                            },
                        ],
                        "discount_percent": "0",
                        "tax_rate_percent": "0",
                    },
                }
            ]
        },
    )

    template: Line = Field(
        min_length=1,
        max_length=100,
        description="A template key, e.g. quote",
    )
    data: dict[str, Any] = Field(
        description="The data for the template's kind: QuoteData, LicenceData, "
        "AmendmentData or TitleListData (see GET /api/v1/templates/{key}/schema)"
    )
    external_ref: Line | None = Field(
        default=None, max_length=200, description="The CRM's id for this deal"
    )


class TotalsOut(BaseModel):
    subtotal: str
    discount: str
    tax: str
    total: str


class NetTotalsOut(TotalsOut):
    net: str = Field(description="Subtotal less the header discount, before tax")


class TaxBandOut(BaseModel):
    rate_percent: str
    net: str = Field(description="The net of the lines taxed at this rate")
    tax: str


class PreviewTotalsOut(NetTotalsOut):
    tax_rate_percent: str | None = Field(
        description="The one rate of every line; null where lines take different rates"
    )
    tax_treatment: str = Field(
        description="The lines' one treatment (standard, reduced, zero_rated, reverse_charge, "
        "exempt, outside_scope or given), or mixed where they differ"
    )
    bands: list[TaxBandOut] = Field(description="The tax of each rate, highest rate first")


class PreviewLineOut(BaseModel):
    sku: str | None
    description: str
    quantity: int
    unit_price: str = Field(description="The list price for the year priced, or the given one")
    discount_percent: str
    discount_amount: str
    amount: str = Field(description="After the line's own discount")
    net: str = Field(description="After its share of the header discount too: what is taxed")
    tax_category: str
    tax_rate_percent: str
    tax_treatment: str
    tax: str


class PreviewYearOut(TotalsOut):
    year: int = Field(description="1 for the first year of the term")
    starts: date


class ReasonOut(BaseModel):
    code: str = Field(description="discount-above, value-above, term-above or non-standard")
    figures: dict[str, Any] = Field(
        description="The figures compared, e.g. discount_percent and threshold; for a value, "
        "the net value, its currency, the exchange rate used and the value in the base currency"
    )


class EditorOut(BaseModel):
    email: str
    name: str
    version: int = Field(description="The version the change made")
    material: list[str] = Field(description="The material fields changed")
    edited_at: datetime


class RequiredApprovalOut(BaseModel):
    rule: str
    role: str
    reason: str = Field(description="Which figures made the rule fire")
    step: int = Field(default=1, description="Tiers run in order of step; equal steps at once")
    reasons: list[ReasonOut] = Field(
        default_factory=list, description="Each condition that held, as a code and its figures"
    )


class PreviewOut(BaseModel):
    template: str
    currency: str
    totals: PreviewTotalsOut = Field(description="For the whole term")
    lines: list[PreviewLineOut] = Field(description="The first year's lines, priced")
    years: list[PreviewYearOut]
    approvals_required: list[RequiredApprovalOut]
    valid_until: date | None = Field(default=None, description="Quotes only")


class ApprovalOut(BaseModel):
    rule: str = Field(default="", description="The matrix tier this decision is for")
    role: str = Field(default="", description="The approver's role when deciding")
    figures: dict[str, Any] = Field(
        default_factory=dict,
        description="The tier as it fired when decided, with its reasons and the rate used",
    )
    decision: str
    decided_by: str
    comment: str
    decided_at: datetime
    reset_at: datetime | None = Field(
        default=None, description="When a priced change made this decision void"
    )
    reset_reason: str = Field(default="", description="What changed, e.g. total 100 → 120")


class ReviseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    data: dict[str, Any] = Field(
        description="The document's whole data, as for a create; it replaces the old data"
    )


class FilesOut(BaseModel):
    pdf: str | None = None
    docx: str | None = None
    xlsx: str | None = Field(default=None, description="Title lists only")
    csv: str | None = Field(default=None, description="Title lists only")
    kbart: str | None = Field(
        default=None, description="Title lists only: KBART Phase II, tab-separated UTF-8"
    )
    signed: str | None = None
    certificate: str | None = Field(
        default=None, description="DocuSign's certificate of completion, once signed there"
    )
    confirmation: str | None = Field(
        default=None, description="A signed quote's order confirmation for the customer"
    )


class SignerOut(BaseModel):
    id: uuid.UUID
    name: str
    title: str | None = None
    email: str
    routing_order: int
    role: str = Field(description="signer or carbon_copy")
    embedded: bool
    status: str
    signed_at: datetime | None = None
    signing_url: str | None = Field(
        default=None, description="Only in the answer to send: the one-time signing link"
    )
    expires_at: datetime | None = None


class PinnedClauseOut(BaseModel):
    key: str
    version: int
    language: str
    jurisdiction: str
    position: str
    sha256: str


class CancellationOut(BaseModel):
    lines: list[int] = Field(description="Indexes of the cancelled lines (a quote's)")
    whole: bool = Field(description="True once every line is cancelled, and for a licence")
    effective_date: date | None = Field(
        default=None, description="A licence's: nothing is charged from this day on"
    )
    net: str
    tax: str
    total: str = Field(description="What its invoice.credit events credit, together")
    reason: str
    cancelled_at: datetime


class CancelIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: Text = Field(min_length=3, max_length=2000)
    lines: list[Annotated[int, Field(ge=0, le=10_000)]] | None = Field(
        default=None,
        max_length=500,
        description="A quote's lines to cancel, by index (from 0); leave out to cancel the "
        "whole quote",
    )
    effective_date: date | None = Field(
        default=None,
        description="A licence's cancellation (required): the first day nothing is charged "
        "for; what was invoiced for the days from it on is credited",
    )


class DocumentLineOut(BaseModel):
    sku: str | None
    description: str
    quantity: int
    unit_price: str
    amount: str = Field(description="After the line's discount, before the header discount")
    period_start: date | None = Field(
        default=None, description="An amendment's line: the invoice period it changes"
    )
    period_end: date | None = None


class SubscriptionPeriodOut(BaseModel):
    start: date
    end: date


class InvoicePeriodOut(BaseModel):
    number: int
    start: date
    end: date
    invoice_on: date = Field(
        description="The period's first day (invoiced in advance; never before signature)"
    )
    net: str
    tax: str
    total: str


class AccountRefOut(BaseModel):
    id: uuid.UUID
    name: str
    crm_id: str | None = Field(description="The account's id in the CRM")
    erp_id: str | None = Field(description="The account's customer number in the ERP")


class DocumentOut(BaseModel):
    id: uuid.UUID
    number: str
    template: str
    status_reason: str = Field(
        description="Why a document waits (sending) or came back (declined, voided)"
    )
    template_version: int = Field(description="The template version the document pins")
    non_standard: bool = Field(description="A playbook fallback was chosen for some clause")
    clauses: list[PinnedClauseOut] = Field(
        description="Every clause version the document was assembled from, with its hash"
    )
    status: DocumentStatus
    render_status: RenderStatus = Field(
        description="Whether the current version's files are made: rendering (a job is on it; "
        "follow the document's URL, or send `Prefer: wait=N`), ready, or failed"
    )
    render_error: str | None = Field(
        default=None, description="Why the render failed; regenerate to try again"
    )
    version: int
    currency: str
    customer_name: str
    account: AccountRefOut | None = Field(
        default=None, description="The service's account, for a customer that has one"
    )
    external_ref: str | None = Field(description="The CRM's id for the deal (opportunity)")
    totals: NetTotalsOut
    lines: list[DocumentLineOut] = Field(
        description="The priced lines, as the document prints them"
    )
    subscription_period: SubscriptionPeriodOut | None = Field(
        default=None,
        description="The subscription period a quote prices, or a licence's term as signed",
    )
    invoice_periods: list[InvoicePeriodOut] = Field(
        description="A licence's invoice periods (annual in advance), or a quote's one (its "
        "subscription period, invoiced once in advance): what each is invoiced"
    )
    approvals_required: list[RequiredApprovalOut]
    approvals: list[ApprovalOut]
    editors: list[EditorOut] = Field(
        default_factory=list,
        description="Who made material changes (app/documents/material.py) after creation",
    )
    files: FilesOut
    signers: list[SignerOut]
    cancellations: list[CancellationOut] = Field(default_factory=list)
    created_at: datetime


class ApprovalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "reject"]
    comment: Text = Field(default="", max_length=4000)


class SignerIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Line = Field(min_length=1, max_length=200)
    title: Line = Field(
        default="",
        max_length=200,
        description="The signer's position (Director of Library Services), shown in their "
        "signature block",
    )
    email: EmailStr = Field(max_length=254)
    routing_order: int = Field(default=1, ge=1, le=100)
    embedded: bool = Field(
        default=False,
        description="DocuSign only: signs in a view the sales person opens (POST .../view)",
    )
    signing_group: Line | None = Field(
        default=None,
        max_length=100,
        description="DocuSign only: any member of this signing group of the account signs "
        "here (name and email then describe the group for people reading the document)",
    )


class SendIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    signers: list[SignerIn] = Field(min_length=1, max_length=20)
    carbon_copies: list[SignerIn] = Field(
        default_factory=list,
        max_length=20,
        description="DocuSign only: people who receive a copy once it is signed",
    )
    reminder_after_days: int | None = Field(
        default=None, ge=0, le=999, description="DocuSign: first reminder after N days"
    )
    reminder_every_days: int | None = Field(
        default=None, ge=1, le=999, description="DocuSign: then every N days"
    )
    expire_after_days: int | None = Field(
        default=None, ge=1, le=999, description="DocuSign: the envelope expires after N days"
    )


class VersionOut(BaseModel):
    id: uuid.UUID
    version: int
    render_status: RenderStatus = Field(
        description="Whether the current version's files are made: rendering (a job is on it; "
        "follow the document's URL, or send `Prefer: wait=N`), ready, or failed"
    )
    render_error: str | None = Field(
        default=None, description="Why the render failed; regenerate to try again"
    )


class VoidIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Line = Field(min_length=1, max_length=200, description="Told to the signers")


class SigningViewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    return_url: Line = Field(
        min_length=1, max_length=2000, description="Where DocuSign sends the signer afterwards"
    )


class SigningViewOut(BaseModel):
    url: str = Field(description="DocuSign's signing view; valid for a few minutes, once")


class ExpiringQuery(BaseModel):
    days: int = Field(default=14, ge=0, le=365)


class ExpiringQuoteOut(BaseModel):
    id: uuid.UUID
    number: str
    customer_name: str
    status: DocumentStatus
    valid_until: date
    total: str
    currency: str


class ExpiringOut(BaseModel):
    quotes: list[ExpiringQuoteOut]


class DocumentListQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    account: uuid.UUID | None = Field(default=None, description="The service's account id")
    account_crm_id: Line | None = Field(default=None, max_length=100)
    account_erp_id: Line | None = Field(default=None, max_length=100)
    status: DocumentStatus | None = None
    kind: DocumentKind | None = None
    external_ref: Line | None = Field(default=None, max_length=200)
    search: Line | None = Field(
        default=None, max_length=100, description="Part of the number or the customer's name"
    )
    created_from: datetime | None = Field(default=None, description="Inclusive, ISO 8601")
    created_to: datetime | None = Field(default=None, description="Exclusive, ISO 8601")
    limit: int = Field(default=50, ge=1, le=200)
    cursor: Line | None = Field(
        default=None, max_length=200, description="`next_cursor` of the page before"
    )


class DocumentSummaryOut(BaseModel):
    id: uuid.UUID
    number: str
    kind: DocumentKind
    status: DocumentStatus
    render_status: RenderStatus
    customer_name: str
    account: AccountRefOut | None
    external_ref: str | None
    currency: str
    total: str
    version: int
    created_at: datetime
    updated_at: datetime
    url: str


class DocumentPageOut(BaseModel):
    documents: list[DocumentSummaryOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null: last")
