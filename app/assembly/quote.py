"""Quote assembly: resolved data in, an `AssembledDocument` (figures and text) out. No I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

from app.assembly.clauses import ClauseText, RenderedClause, render_clauses
from app.assembly.pricing import LineInput, Totals, price_quote


@dataclass(frozen=True)
class Party:
    name: str
    address: str
    country: str = ""
    vat_id: str | None = None


@dataclass(frozen=True)
class QuoteLine:
    sku: str | None
    description: str
    quantity: int
    unit_price: Decimal
    discount_percent: Decimal


@dataclass(frozen=True)
class QuoteInput:
    number: str
    issued_on: date
    valid_until: date
    seller: Party
    customer: Party
    currency: str
    lines: list[QuoteLine]
    discount_percent: Decimal
    tax_rate_percent: Decimal
    clauses: list[ClauseText]
    po_number: str | None = None
    notes: str = ""
    locale: str = "en_GB"


@dataclass(frozen=True)
class AssembledDocument:
    title: str
    number: str
    totals: Totals
    clauses: list[RenderedClause]
    context: dict[str, Any]


def price(quote: QuoteInput) -> Totals:
    return price_quote(
        [LineInput(line.quantity, line.unit_price, line.discount_percent) for line in quote.lines],
        currency=quote.currency,
        discount_percent=quote.discount_percent,
        tax_rate_percent=quote.tax_rate_percent,
    )


def _percent(value: Decimal, locale: str) -> str:
    return format_decimal(value.normalize(), format="#,##0.##", locale=locale) + " %"


def _party(party: Party, locale: str) -> dict[str, Any]:
    country = Locale.parse(locale).territories.get(party.country, party.country)
    return {
        "name": party.name,
        "address_lines": [line for line in party.address.splitlines() if line.strip()],
        "country": country,
        "vat_id": party.vat_id or "",
    }


def assemble_quote(quote: QuoteInput) -> AssembledDocument:
    totals = price(quote)
    locale = quote.locale

    def money(amount: Decimal) -> str:
        return format_currency(amount, quote.currency, locale=locale)

    variables = {
        "customer": {"name": quote.customer.name, "country": quote.customer.country},
        "seller": {"name": quote.seller.name},
        "currency": quote.currency,
        "valid_until": format_date(quote.valid_until, format="long", locale=locale),
        "number": quote.number,
    }
    clauses = render_clauses(quote.clauses, variables)
    context = {
        "doc": {
            "title": "Quote",
            "number": quote.number,
            "issued_on": format_date(quote.issued_on, format="long", locale=locale),
            "valid_until": format_date(quote.valid_until, format="long", locale=locale),
            "currency": quote.currency,
            "po_number": quote.po_number or "",
            "notes": quote.notes,
        },
        "seller": _party(quote.seller, locale),
        "customer": _party(quote.customer, locale),
        "lines": [
            {
                "n": n,
                "sku": line.sku or "",
                "description": line.description,
                "quantity": format_decimal(line.quantity, locale=locale),
                "unit_price": money(line.unit_price),
                "discount_percent": _percent(line.discount_percent, locale)
                if line.discount_percent
                else "",
                "amount": money(priced.amount),
            }
            for n, (line, priced) in enumerate(zip(quote.lines, totals.lines, strict=True), 1)
        ],
        "totals": {
            "subtotal": money(totals.subtotal),
            "discount": money(totals.discount) if totals.discount else "",
            "discount_percent": _percent(quote.discount_percent, locale),
            "net": money(totals.net),
            "tax": money(totals.tax),
            "tax_rate_percent": _percent(quote.tax_rate_percent, locale),
            "total": money(totals.total),
        },
        "clauses": [
            {
                "number": c.number,
                "key": c.key,
                "title": c.title,
                "html": c.html,
                "paragraphs": list(c.paragraphs),
            }
            for c in clauses
        ],
    }
    return AssembledDocument(
        title="Quote", number=quote.number, totals=totals, clauses=clauses, context=context
    )
