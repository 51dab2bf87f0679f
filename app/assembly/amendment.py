"""The amendment: names the agreement it amends and states only the changes. Pure."""

from __future__ import annotations

from datetime import date
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
    title_rows,
    totals_context,
    totals_record,
)
from app.assembly.schemas import AmendmentData


def _data(doc: DocumentInput) -> AmendmentData:
    assert isinstance(doc.data, AmendmentData)
    return doc.data


def amendment_variables(doc: DocumentInput) -> dict[str, Any]:
    data = _data(doc)
    fmt = Formatter(doc.locale, doc.currency)
    return {
        **common_variables(doc),
        "agreement": {
            "number": data.agreement.number,
            "date": fmt.date(data.agreement.date),
            "earlier_amendments": list(data.agreement.earlier_amendments),
        },
        "effective_date": fmt.date(data.effective_date),
    }


def _period(start: date | None, end: date | None, fmt: Formatter) -> str:
    """The invoice period a line charges or credits, as the document's language writes it."""
    return f"{fmt.date(start)} – {fmt.date(end)}" if start and end else ""


def assemble_amendment(doc: DocumentInput) -> AssembledDocument:
    data = _data(doc)
    fmt = Formatter(doc.locale, doc.currency)
    taxes = line_taxes(doc)
    totals = price_lines(doc, taxes=taxes)
    variables = amendment_variables(doc)
    sections, context = base_context(doc, variables)
    context["agreement"] = variables["agreement"]
    context["amendment"] = {
        "effective_date": variables["effective_date"],
        "new_end_date": fmt.date(data.new_end_date) if data.new_end_date else "",
        "titles_added": title_rows(data.titles_added, fmt),
        "titles_removed": title_rows(data.titles_removed, fmt),
    }
    context["lines"] = [
        {**row, "period": _period(line.period_start, line.period_end, fmt)}
        for row, line in zip(line_rows(doc, totals), data.lines, strict=True)
    ]
    context["totals"] = totals_context(doc, totals, taxes)
    return AssembledDocument(
        title=context["doc"]["title"],
        number=doc.number,
        totals=totals,
        sections=sections,
        context=context,
        record=totals_record(doc, totals, taxes),
    )
