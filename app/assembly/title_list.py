"""The title list for subscription agents: the same rows for PDF, DOCX, XLSX and CSV."""

from __future__ import annotations

from app.assembly.document import (
    AssembledDocument,
    DocumentInput,
    Formatter,
    base_context,
    common_variables,
    price_lines,
    title_rows,
    totals_record,
)
from app.assembly.schemas import TitleListData


def _data(doc: DocumentInput) -> TitleListData:
    assert isinstance(doc.data, TitleListData)
    return doc.data


def assemble_title_list(doc: DocumentInput) -> AssembledDocument:
    data = _data(doc)
    fmt = Formatter(doc.locale, doc.currency)
    totals = price_lines(doc)
    sections, context = base_context(doc, common_variables(doc))
    context["list"] = {
        "reference": data.reference or "",
        "year": data.year or "",
        "count": fmt.number(len(data.titles)),
    }
    context["titles"] = title_rows(data.titles, fmt)
    context["title_items"] = data.titles
    return AssembledDocument(
        title=context["doc"]["title"],
        number=doc.number,
        totals=totals,
        sections=sections,
        context=context,
        record=totals_record(doc, totals, []),
    )
