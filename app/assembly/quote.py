"""Quote assembly: resolved data in, an `AssembledDocument` (figures and text) out. No I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

from app.assembly.clauses import ClauseText, RenderedClause, RenderedSection, render_clauses
from app.assembly.outline import OutlineSection, number_outline
from app.assembly.pricing import LineInput, Totals, price_quote

LOCALES = {"en": "en_GB", "nl": "nl_NL", "zh": "zh_CN"}


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
    outline: tuple[OutlineSection, ...]
    clauses: Mapping[str, ClauseText]
    labels: Mapping[str, str]
    language: str = "en"
    jurisdiction: str = ""
    po_number: str | None = None
    notes: str = ""

    @property
    def locale(self) -> str:
        return LOCALES[self.language]


@dataclass(frozen=True)
class AssembledDocument:
    title: str
    number: str
    totals: Totals
    sections: list[RenderedSection]
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


def _clause_context(clause: RenderedClause) -> dict[str, Any]:
    return {
        "number": clause.number,
        "key": clause.key,
        "title": clause.title,
        "html": clause.html,
        "paragraphs": list(clause.paragraphs),
    }


def clause_variables(quote: QuoteInput) -> dict[str, Any]:
    """What clause text and outline conditions may use."""
    valid_until = format_date(quote.valid_until, format="long", locale=quote.locale)
    return {
        "customer": {"name": quote.customer.name, "country": quote.customer.country},
        "seller": {"name": quote.seller.name},
        "doc": {
            "number": quote.number,
            "date": format_date(quote.issued_on, format="long", locale=quote.locale),
        },
        "currency": quote.currency,
        "valid_until": valid_until,
        "number": quote.number,
    }


def included_clause_keys(quote: QuoteInput) -> list[str]:
    """The outline's clauses whose conditions hold for this quote, in order."""
    sections = number_outline(quote.outline, clause_variables(quote), quote.language)
    return [clause.key for section in sections for clause in section.clauses]


def assemble_quote(quote: QuoteInput) -> AssembledDocument:
    totals = price(quote)
    locale = quote.locale

    def money(amount: Decimal) -> str:
        return format_currency(amount, quote.currency, locale=locale)

    variables = clause_variables(quote)
    sections = render_clauses(
        number_outline(quote.outline, variables, quote.language),
        quote.clauses,
        variables,
        language=quote.language,
    )
    clauses = [clause for section in sections for clause in section.clauses]
    context = {
        "label": dict(quote.labels),
        "doc": {
            "title": quote.labels.get("title", "Quote"),
            "language": quote.language,
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
        "clauses": [_clause_context(c) for c in clauses],
        "sections": [
            {
                "number": section.number,
                "heading": section.heading,
                "clauses": [_clause_context(c) for c in section.clauses],
            }
            for section in sections
        ],
    }
    return AssembledDocument(
        title=quote.labels.get("title", "Quote"),
        number=quote.number,
        totals=totals,
        sections=sections,
        context=context,
    )
