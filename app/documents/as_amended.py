"""The licence as amended, as the figures the API, the page, the PDF and the DOCX show
alike: the original plus every signed amendment, invoice period by invoice period, from
the subscription model (each period's lines in force at their prices with their discounts,
what the licence as signed charged for it and what each amendment changed); and the titles
the title schedule holds for a year, so that the view, the schedule and the year's exports
never differ."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Protocol

from app.assembly.consolidation import title_key
from app.assembly.schemas import TitleIn
from app.assembly.subscription.documents import amended_steps
from app.assembly.subscription.history import AmendedPeriod, periods_as_amended
from app.assembly.subscription.invoices import InvoiceLine, contract_value
from app.documents.contracts import AsAmended


class TitlesInForce(Protocol):
    """The licence's titles for a year, as its title schedule holds them
    (app.titles.schedule.Schedule)."""

    @property
    def year(self) -> int: ...
    @property
    def source(self) -> str: ...
    @property
    def number(self) -> str: ...
    @property
    def version(self) -> int: ...
    @property
    def titles(self) -> list[TitleIn]: ...
    @property
    def added(self) -> tuple[tuple[str, TitleIn], ...]: ...
    @property
    def removed(self) -> tuple[tuple[str, TitleIn], ...]: ...


def as_amended_view(view: AsAmended, in_force: TitlesInForce) -> dict[str, Any]:
    licence, current = view.licence, view.consolidated
    steps = amended_steps(view.original, [(a.number, a.data) for a in current.amendments])
    periods = periods_as_amended(view.original, steps, view.rate_of)
    sources = {line.key: line.source or licence.number for line in view.contract.lines}
    added_by = {title_key(t): number for number, t in in_force.added}
    return {
        "licence": {
            "id": str(licence.id),
            "number": licence.number,
            "customer": licence.customer["name"],
            "currency": licence.currency,
            "language": view.data.language,
            "signed_on": view.signed_on,
            "start": current.start,
            "original_end": view.data.term.end,
            "end": view.contract.term.end,
            "invoicing": view.contract.invoice_periods,
        },
        "amendments": [
            {
                "number": a.number,
                "signed_on": a.signed_on,
                "effective_date": a.data.effective_date,
                "titles_added": len(a.data.titles_added),
                "titles_removed": len(a.data.titles_removed),
                "products_added": len(a.data.products_added),
                "new_end_date": a.data.new_end_date,
                "net": str(a.net),
            }
            for a in current.amendments
        ],
        "periods": [_period(period, sources) for period in periods],
        "contract_value": str(contract_value(p.invoice for p in periods)),
        "original_value": str(sum((p.original_net for p in periods), Decimal(0))),
        "titles": [
            {
                "title": t.title,
                "issn": t.issn,
                "eissn": t.eissn,
                "subject": t.subject,
                "price": str(t.price) if t.price is not None else None,
                "added_by": added_by.get(title_key(t)),
            }
            for t in in_force.titles
        ],
        "titles_removed": [
            {"title": t.title, "issn": t.issn, "removed_by": number}
            for number, t in in_force.removed
        ],
        "titles_in_force": {
            "year": in_force.year,
            "source": in_force.source,
            "number": in_force.number,
            "version": in_force.version,
            "count": len(in_force.titles),
        },
    }


def _period(period: AmendedPeriod, sources: dict[str, str]) -> dict[str, Any]:
    invoice, totals = period.invoice, period.invoice.totals
    return {
        "number": invoice.number,
        "start": invoice.period.start,
        "end": invoice.period.end,
        "invoice_on": invoice.invoice_on,
        "lines": [_line(line, sources) for line in invoice.lines],
        **totals.as_strings(),
        "net": str(totals.net),
        "taxes": [
            {"rate_percent": str(band.rate_percent), "net": str(band.net), "tax": str(band.tax)}
            for band in totals.bands
        ],
        "original_net": str(period.original_net),
        "changes": [{"amendment": number, "net": str(net)} for number, net in period.changes],
    }


def _line(line: InvoiceLine, sources: dict[str, str]) -> dict[str, Any]:
    return {
        "key": line.key,
        "description": line.description,
        "sku": line.sku,
        "source": sources.get(line.key, ""),
        "tax_category": line.tax_category,
        "charged_start": line.charged.start,
        "charged_end": line.charged.end,
        "quantity": line.quantity,
        "unit_price": str(line.unit_price),
        "discount_percent": str(line.discount_percent),
        "discount": str(line.quantity * line.unit_price - line.amount),
        "amount": str(line.amount),
        "net": str(line.net),
        "tax_rate_percent": str(line.tax_rate_percent),
        "tax": str(line.tax),
    }
