"""The quote: priced lines, totals and the quote's terms. Pure: `DocumentInput` in."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from app.assembly.document import (
    AssembledDocument,
    DocumentInput,
    Formatter,
    base_context,
    common_variables,
    line_rows,
    line_taxes,
    price_lines,
    totals_context,
    totals_record,
)
from app.assembly.schemas import QuoteData

DEFAULT_VALIDITY_DAYS = 30


def valid_until(data: QuoteData, issued_on: date) -> date:
    return data.valid_until or issued_on + timedelta(days=DEFAULT_VALIDITY_DAYS)


def _data(doc: DocumentInput) -> QuoteData:
    assert isinstance(doc.data, QuoteData)
    return doc.data


def quote_variables(doc: DocumentInput) -> dict[str, Any]:
    fmt = Formatter(doc.locale, doc.currency)
    return {
        **common_variables(doc),
        "valid_until": fmt.date(valid_until(_data(doc), doc.issued_on)),
        "number": doc.number,
    }


def assemble_quote(doc: DocumentInput) -> AssembledDocument:
    """The quote prices one subscription period, invoiced once, in advance: its invoice
    period is the subscription period."""
    taxes = line_taxes(doc)
    totals = price_lines(doc, taxes=taxes)
    fmt = Formatter(doc.locale, doc.currency)
    period = _data(doc).subscription_period(doc.issued_on)
    sections, context = base_context(doc, quote_variables(doc))
    context["doc"]["valid_until"] = fmt.date(valid_until(_data(doc), doc.issued_on))
    context["subscription"] = {
        "start": fmt.date(period.start),
        "end": fmt.date(period.end),
        "period": f"{fmt.date(period.start)} – {fmt.date(period.end)}",
    }
    context["lines"] = line_rows(doc, totals)
    context["totals"] = totals_context(doc, totals, taxes)
    record = totals_record(doc, totals, taxes)
    record["subscription"] = {"start": period.start.isoformat(), "end": period.end.isoformat()}
    return AssembledDocument(
        title=context["doc"]["title"],
        number=doc.number,
        totals=totals,
        sections=sections,
        context=context,
        record=record,
    )
