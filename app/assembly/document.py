"""What every document kind is assembled from, and the parts of its rendering context that
all kinds share: letterhead, parties, labels, numbered clauses. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

from app.assembly.clauses import ClauseText, RenderedClause, RenderedSection, render_clauses
from app.assembly.outline import OutlineSection, number_outline
from app.assembly.pricing import LineInput, PricedLine, Totals, price_quote
from app.assembly.proration import DayCount
from app.assembly.schemas import DocumentData, Signatory
from app.assembly.tax import STANDARD_CATEGORY, LineTax, NoTaxRate, TaxRules

LOCALES = {"en": "en_GB", "nl": "nl_NL", "zh": "zh_CN"}
MIXED = "mixed"
"""The treatment of a document whose lines are taxed differently."""


@dataclass(frozen=True)
class Party:
    name: str
    address: str
    country: str = ""
    vat_id: str | None = None
    company_number: str | None = None


@dataclass(frozen=True)
class PricedLineInput:
    """A fee line with its price settled (from the catalogue or given)."""

    sku: str | None
    description: str
    quantity: int
    unit_price: Decimal
    discount_percent: Decimal
    discount_amount: Decimal = Decimal(0)
    list_price: Decimal | None = None
    """A catalogue line's list price, where a contract price was given instead of it."""
    tax_category: str = STANDARD_CATEGORY


@dataclass(frozen=True)
class DocumentInput:
    """One document's data with every reference resolved: ready to assemble."""

    kind: str
    number: str
    issued_on: date
    seller: Party
    customer: Party
    data: DocumentData
    lines: list[PricedLineInput]
    outline: tuple[OutlineSection, ...]
    clauses: Mapping[str, ClauseText]
    labels: Mapping[str, str]
    jurisdiction: str
    tax: TaxRules
    day_count: DayCount = "actual/365"

    @property
    def language(self) -> str:
        return self.data.language

    @property
    def tax_point(self) -> date:
        """The day the document's lines are taxed on, unless a kind says otherwise."""
        return self.data.tax_point(self.issued_on)

    @property
    def locale(self) -> str:
        return LOCALES[self.language]

    @property
    def currency(self) -> str:
        return self.data.currency


@dataclass(frozen=True)
class AssembledDocument:
    title: str
    number: str
    totals: Totals
    sections: list[RenderedSection]
    context: dict[str, Any]
    record: dict[str, Any]
    """Figures to keep with the document (totals, lines, per-year amounts)."""


class Formatter:
    """Dates, money and percentages as the document's locale writes them."""

    def __init__(self, locale: str, currency: str) -> None:
        self.locale = locale
        self.currency = currency

    def date(self, value: date) -> str:
        return format_date(value, format="long", locale=self.locale)

    def money(self, amount: Decimal) -> str:
        return format_currency(amount, self.currency, locale=self.locale)

    def percent(self, value: Decimal) -> str:
        return format_decimal(value.normalize(), format="#,##0.##", locale=self.locale) + " %"

    def number(self, value: int | Decimal) -> str:
        return format_decimal(value, locale=self.locale)

    def country(self, code: str) -> str:
        return Locale.parse(self.locale).territories.get(code, code)


def line_taxes(
    doc: DocumentInput, lines: list[PricedLineInput] | None = None, *, on: date | None = None
) -> list[LineTax]:
    """How each line is taxed on `on` (the document's tax point unless given); a line whose
    country has no rate for its category that day raises `NoTaxRate` naming the line."""
    chosen = doc.lines if lines is None else lines
    day = doc.tax_point if on is None else on
    taxes = []
    for index, line in enumerate(chosen):
        try:
            taxes.append(doc.tax.for_line(line.tax_category, day))
        except NoTaxRate as exc:
            raise NoTaxRate(exc.country, exc.category, exc.on, index) from exc
    return taxes


def price_lines(
    doc: DocumentInput,
    lines: list[PricedLineInput] | None = None,
    *,
    taxes: Sequence[LineTax] | None = None,
) -> Totals:
    """The lines priced, each at the rate of its tax (by default, as taxed on the
    document's tax point)."""
    chosen = doc.lines if lines is None else lines
    rated = line_taxes(doc, chosen) if taxes is None else taxes
    return price_quote(
        [
            LineInput(
                line.quantity,
                line.unit_price,
                line.discount_percent,
                line.discount_amount,
                tax.rate_percent,
            )
            for line, tax in zip(chosen, rated, strict=True)
        ],
        currency=doc.currency,
        discount_percent=doc.data.discount,
        discount_amount=doc.data.discount_off,
        tax_rate_percent=doc.tax.rate_percent,
    )


def common_variables(doc: DocumentInput) -> dict[str, Any]:
    """What clause text and outline conditions may use in every kind of document."""
    fmt = Formatter(doc.locale, doc.currency)
    return {
        "customer": {"name": doc.customer.name, "country": doc.customer.country},
        "seller": {"name": doc.seller.name},
        "doc": {"number": doc.number, "date": fmt.date(doc.issued_on)},
        "currency": doc.currency,
    }


def included_clause_keys(doc: DocumentInput, variables: Mapping[str, Any]) -> list[str]:
    """The outline's clauses whose conditions hold for this document, in order."""
    sections = number_outline(doc.outline, variables, doc.language)
    return [clause.key for section in sections for clause in section.clauses]


def _clause_context(clause: RenderedClause) -> dict[str, Any]:
    return {
        "number": clause.number,
        "key": clause.key,
        "title": clause.title,
        "html": clause.html,
        "paragraphs": list(clause.paragraphs),
    }


def _party(party: Party, fmt: Formatter) -> dict[str, Any]:
    return {
        "name": party.name,
        "address_lines": [line for line in party.address.splitlines() if line.strip()],
        "country": fmt.country(party.country),
        "vat_id": party.vat_id or "",
        "company_number": party.company_number or "",
    }


def _signatory(signatory: Signatory | None) -> dict[str, str]:
    """Name and title for a signature block; blank lines when nobody is named yet."""
    if signatory is None:
        return {"name": "", "title": ""}
    return {"name": signatory.name, "title": signatory.title}


def base_context(
    doc: DocumentInput, variables: Mapping[str, Any]
) -> tuple[list[RenderedSection], dict[str, Any]]:
    """The numbered clauses and the context every template gets."""
    fmt = Formatter(doc.locale, doc.currency)
    sections = render_clauses(
        number_outline(doc.outline, variables, doc.language),
        doc.clauses,
        variables,
        language=doc.language,
    )
    context = {
        "label": dict(doc.labels),
        "doc": {
            "title": doc.labels.get("title", doc.kind),
            "language": doc.language,
            "number": doc.number,
            "issued_on": fmt.date(doc.issued_on),
            "currency": doc.currency,
            "po_number": doc.data.po_number or "",
            "notes": doc.data.notes,
        },
        "seller": _party(doc.seller, fmt),
        "customer": _party(doc.customer, fmt),
        "signatories": {
            "customer": _signatory(doc.data.customer_signatory),
            "seller": _signatory(doc.data.seller_signatory),
        },
        "clauses": [_clause_context(c) for s in sections for c in s.clauses],
        "sections": [
            {
                "number": section.number,
                "heading": section.heading,
                "clauses": [_clause_context(c) for c in section.clauses],
            }
            for section in sections
        ],
    }
    return sections, context


def line_discount(line: PricedLineInput, priced: PricedLine, fmt: Formatter) -> str:
    """A line's discount as given: a percent, or the amount taken off."""
    if line.discount_amount:
        return "− " + fmt.money(priced.discount)
    return fmt.percent(line.discount_percent) if line.discount_percent else ""


def line_rows(doc: DocumentInput, totals: Totals) -> list[dict[str, Any]]:
    fmt = Formatter(doc.locale, doc.currency)
    return [
        {
            "n": n,
            "sku": line.sku or "",
            "description": line.description,
            "quantity": fmt.number(line.quantity),
            "unit_price": fmt.money(line.unit_price),
            "discount_percent": line_discount(line, priced, fmt),
            "amount": fmt.money(priced.amount),
            "tax_category": line.tax_category,
            "tax_rate_percent": fmt.percent(priced.tax_rate_percent),
        }
        for n, (line, priced) in enumerate(zip(doc.lines, totals.lines, strict=True), 1)
    ]


def _header_discount_percent(doc: DocumentInput, totals: Totals) -> Decimal:
    """The header discount as a percent: as given, or what an amount comes to."""
    if doc.data.discount or not totals.subtotal:
        return doc.data.discount
    return (totals.discount * 100 / totals.subtotal).quantize(Decimal("0.01"))


def single_rate(totals: Totals) -> Decimal | None:
    """The one rate every line is taxed at; None where the lines take different rates."""
    rates = {band.rate_percent for band in totals.bands}
    if not rates:
        return totals.tax_rate_percent
    return rates.pop() if len(rates) == 1 else None


def tax_notes(taxes: Sequence[LineTax]) -> list[str]:
    """The label keys of the legal notes the lines' treatments need, each once, in order."""
    return list(dict.fromkeys(tax.note_key for tax in taxes if tax.note_key))


def band_rows(doc: DocumentInput, totals: Totals) -> list[dict[str, str]]:
    """The tax of each rate, e.g. "VAT 9 % on €900.00" and €81.00."""
    fmt = Formatter(doc.locale, doc.currency)
    wording = doc.labels.get("tax_band", "{tax} ({rate})")
    rows = []
    for band in totals.bands:
        rate, net = fmt.percent(band.rate_percent), fmt.money(band.net)
        label = wording.replace("{tax}", doc.labels.get("tax", "")).replace("{rate}", rate)
        rows.append(
            {
                "label": label.replace("{net}", net),
                "rate": rate,
                "net": net,
                "tax": fmt.money(band.tax),
            }
        )
    return rows


def totals_context(doc: DocumentInput, totals: Totals, taxes: Sequence[LineTax]) -> dict[str, Any]:
    fmt = Formatter(doc.locale, doc.currency)
    rate = single_rate(totals)
    notes = [doc.labels.get(key, "") for key in tax_notes(taxes)]
    return {
        "subtotal": fmt.money(totals.subtotal),
        "discount": fmt.money(totals.discount) if totals.discount else "",
        "discount_percent": fmt.percent(_header_discount_percent(doc, totals)),
        "net": fmt.money(totals.net),
        "tax": fmt.money(totals.tax),
        "tax_rate_percent": fmt.percent(rate) if rate is not None else "",
        "bands": band_rows(doc, totals),
        "tax_notes": [note for note in notes if note],
        "tax_note": " ".join(note for note in notes if note),
        "total": fmt.money(totals.total),
    }


def bands_record(totals: Totals) -> list[dict[str, str]]:
    return [
        {"rate_percent": str(b.rate_percent), "net": str(b.net), "tax": str(b.tax)}
        for b in totals.bands
    ]


def treatment_of(doc: DocumentInput, taxes: Sequence[LineTax]) -> str:
    """The document's treatment: its lines' one treatment, or `mixed` where they differ
    (each line says its own); without lines, how the party is taxed."""
    treatments = {tax.treatment for tax in taxes}
    if not treatments:
        return doc.tax.basis
    return treatments.pop() if len(treatments) == 1 else MIXED


def totals_record(doc: DocumentInput, totals: Totals, taxes: Sequence[LineTax]) -> dict[str, Any]:
    """The figures kept with the document, as decimal strings: per line its net, tax
    category, rate and tax, and the tax of each rate (what an ERP invoice is built from),
    and the tax rules it was made with, so that it is taxed the same when rendered again."""
    rate = single_rate(totals)
    return {
        **totals.as_strings(),
        "currency": doc.currency,
        "net": str(totals.net),
        "discount_percent": str(doc.data.discount),
        "discount_amount": str(doc.data.discount_off),
        "tax_rate_percent": str(rate) if rate is not None else None,
        "tax_treatment": treatment_of(doc, taxes),
        "tax_notes": tax_notes(taxes),
        "tax_rules": doc.tax.as_record(),
        "bands": bands_record(totals),
        "lines": [
            {
                "sku": line.sku,
                "description": line.description,
                "quantity": line.quantity,
                "unit_price": str(line.unit_price),
                "discount_percent": str(line.discount_percent),
                "discount_amount": str(line.discount_amount),
                "list_price": str(line.list_price) if line.list_price is not None else None,
                "amount": str(priced.amount),
                "net": str(priced.net),
                "tax_category": line.tax_category,
                "tax_rate_percent": str(priced.tax_rate_percent),
                "tax_treatment": tax.treatment,
                "tax": str(priced.tax),
            }
            for line, priced, tax in zip(doc.lines, totals.lines, taxes, strict=True)
        ],
    }


def title_rows(titles: list[Any], fmt: Formatter) -> list[dict[str, str]]:
    return [
        {
            "n": str(n),
            "title": title.title,
            "issn": title.issn or "",
            "eissn": title.eissn or "",
            "subject": title.subject,
            "price": fmt.money(title.price) if title.price is not None else "",
            "price_amount": str(title.price) if title.price is not None else "",
        }
        for n, title in enumerate(titles, start=1)
    ]
