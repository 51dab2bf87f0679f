"""HTTP shapes of a contract's invoicing: its periods with their POs, the ledger's rows,
the invoices held for a PO, and an account's PO requirement."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.assembly.text import Line
from app.web.schemas.webhooks import InvoiceLineOut, SchedulePeriodOut, TaxBandOut


class PeriodOut(SchedulePeriodOut):
    po_number: str | None = Field(description="The PO its invoice carries (or will carry)")


class InvoiceOut(BaseModel):
    id: uuid.UUID
    contract_id: uuid.UUID
    contract_number: str
    document_id: uuid.UUID = Field(description="What gave rise to it: the contract or an amendment")
    kind: Literal["invoice", "adjustment", "credit"]
    status: Literal["issued", "held"]
    period: int
    period_start: date
    period_end: date
    invoice_on: date
    due_on: date
    po_number: str | None
    currency: str
    lines: list[InvoiceLineOut]
    net: str
    tax: str
    total: str
    tax_bands: list[TaxBandOut]
    tax_treatment: str
    tax_note: str
    reason: str
    webhook_id: str | None = Field(description="The event it was sent as; none while held")
    issued_at: datetime | None


class InvoicingOut(BaseModel):
    periods: list[PeriodOut] = Field(description="The contract's invoice periods as it stands")
    invoices: list[InvoiceOut] = Field(description="Every invoice and credit note, in order")


class InvoicesOut(BaseModel):
    invoices: list[InvoiceOut]


class InvoicesQuery(BaseModel):
    status: Literal["held"] = Field(
        default="held", description="The invoices held for want of the customer's PO"
    )


class PurchaseOrderIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={"examples": [{"period": 2, "po_number": "PO-2028-0417"}]},
    )

    period: int = Field(ge=1, le=100, description="The invoice period (1 for the first)")
    po_number: Line = Field(min_length=1, max_length=100)


class AccountChange(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"requires_po": True}]}
    )

    requires_po: bool = Field(
        description="Invoices need the customer's PO: one due without it is held, not sent"
    )


class AccountOut(BaseModel):
    id: uuid.UUID
    name: str
    requires_po: bool
