"""The licence as amended, as the API shows it."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, Field


class AsAmendedLicenceOut(BaseModel):
    id: uuid.UUID
    number: str
    customer: str
    currency: str
    language: str = Field(description="The licence's language: its PDF and DOCX are in it")
    signed_on: date
    start: date
    original_end: date
    end: date = Field(description="The end of the term after every extension")
    invoicing: str = Field(
        description="How the term is invoiced, in advance: contract-years or calendar-years"
    )


class AsAmendedAmendmentOut(BaseModel):
    number: str
    signed_on: date
    effective_date: date
    titles_added: int
    titles_removed: int
    products_added: int
    new_end_date: date | None
    net: str = Field(description="What it charged (credited, below zero), before tax")


class AsAmendedLineOut(BaseModel):
    key: str = Field(description="The contract line: stable across amendments")
    description: str
    sku: str | None
    source: str = Field(description="The licence or amendment that brought the line")
    tax_category: str
    charged_start: date = Field(description="The first day of the period the line is charged")
    charged_end: date
    quantity: int
    unit_price: str = Field(description="For the days charged, with the annual uplift")
    discount_percent: str
    discount: str = Field(description="The line's own discount, as an amount")
    amount: str = Field(description="After the line's discount")
    net: str = Field(description="After its share of the header discount too: what is taxed")
    tax_rate_percent: str
    tax: str


class TaxBandOut(BaseModel):
    rate_percent: str
    net: str
    tax: str


class PeriodChangeOut(BaseModel):
    amendment: str
    net: str = Field(description="What the amendment changed in the period's net")


class AsAmendedPeriodOut(BaseModel):
    number: int
    start: date
    end: date
    invoice_on: date
    lines: list[AsAmendedLineOut] = Field(description="The lines in force in the period")
    subtotal: str
    discount: str
    net: str
    tax: str
    total: str
    taxes: list[TaxBandOut] = Field(description="Tax per rate")
    original_net: str = Field(
        description="What the licence as signed charged for the period (0 for a period an "
        "extension added)"
    )
    changes: list[PeriodChangeOut] = Field(
        description="What each signed amendment changed: net = original_net + changes"
    )


class AsAmendedTitleOut(BaseModel):
    title: str
    issn: str | None
    eissn: str | None
    subject: str
    price: str | None
    added_by: str | None = Field(description="The amendment that added it, if one did")


class RemovedTitleOut(BaseModel):
    title: str
    issn: str | None
    removed_by: str


class TitlesInForceOut(BaseModel):
    year: int
    source: str = Field(
        description="list: the latest list uploaded for the year; licence: the licence's "
        "own titles as amended by then"
    )
    number: str = Field(description="The list's number, or the licence's")
    version: int = Field(description="The list's version in its year; 0 for the licence's")
    count: int


class AsAmendedQuery(BaseModel):
    year: int | None = Field(
        default=None,
        ge=2000,
        le=2100,
        description="The year whose titles are shown; by default the year they last changed",
    )


class AsAmendedOut(BaseModel):
    licence: AsAmendedLicenceOut
    amendments: list[AsAmendedAmendmentOut]
    periods: list[AsAmendedPeriodOut] = Field(
        description="Every invoice period of the term as amended, with its history"
    )
    contract_value: str = Field(description="What the contract is worth now, net of tax")
    original_value: str = Field(description="What the licence as signed was worth, net")
    titles: list[AsAmendedTitleOut]
    titles_removed: list[RemovedTitleOut]
    titles_in_force: TitlesInForceOut = Field(
        description="Whose titles these are: the title schedule's for the year"
    )
