"""The licence agreement: term, sites and users, fees for each year of the term (with the
annual uplift), and the licensed titles. Pure: `DocumentInput` in."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from app.assembly.document import (
    AssembledDocument,
    DocumentInput,
    Formatter,
    PricedLineInput,
    bands_record,
    base_context,
    common_variables,
    line_taxes,
    price_lines,
    single_rate,
    tax_notes,
    title_rows,
    totals_context,
    totals_record,
    treatment_of,
)
from app.assembly.pricing import TaxBand, Totals, apply_uplift
from app.assembly.schemas import LicenceData


def _data(doc: DocumentInput) -> LicenceData:
    assert isinstance(doc.data, LicenceData)
    return doc.data


def licence_variables(doc: DocumentInput) -> dict[str, Any]:
    data = _data(doc)
    fmt = Formatter(doc.locale, doc.currency)
    return {
        **common_variables(doc),
        "term": {
            "start": fmt.date(data.term.start),
            "end": fmt.date(data.term.end),
            "years": data.term.years,
        },
        "perpetual_access": data.perpetual_access,
        "notice_days": data.notice_days,
    }


def _year_start(start: date, year: int) -> date:
    try:
        return start.replace(year=start.year + year)
    except ValueError:  # 29 February
        return start.replace(year=start.year + year, day=28)


def licence_year(term_start: date, on: date) -> tuple[date, date]:
    """The licence year (first and last day) that a day falls in; years run from the
    term's start date, so a term starting 1 April has years from 1 April to 31 March."""
    n = max(on.year - term_start.year, 0)
    while _year_start(term_start, n) > on and n > 0:
        n -= 1
    while _year_start(term_start, n + 1) <= on:
        n += 1
    return _year_start(term_start, n), _year_start(term_start, n + 1) - timedelta(days=1)


def yearly_lines(doc: DocumentInput) -> list[list[PricedLineInput]]:
    """Each year's fee lines: every later year's unit price is the year before's plus the
    uplift, rounded to the currency's minor unit."""
    uplift = _data(doc).annual_uplift_percent
    years = [list(doc.lines)]
    for _ in range(1, _data(doc).term.years):
        years.append(
            [
                replace(line, unit_price=apply_uplift(line.unit_price, uplift, doc.currency))
                for line in years[-1]
            ]
        )
    return years


def _sum(totals: list[Totals], field: str) -> Decimal:
    return sum((getattr(t, field) for t in totals), Decimal(0))


def _term_bands(per_year: list[Totals]) -> tuple[TaxBand, ...]:
    """Each rate's net and tax over the whole term, highest rate first."""
    rates = sorted({band.rate_percent for t in per_year for band in t.bands}, reverse=True)
    return tuple(
        TaxBand(
            rate,
            sum((b.net for t in per_year for b in t.bands if b.rate_percent == rate), Decimal(0)),
            sum((b.tax for t in per_year for b in t.bands if b.rate_percent == rate), Decimal(0)),
        )
        for rate in rates
    )


def assemble_licence(doc: DocumentInput) -> AssembledDocument:
    data = _data(doc)
    fmt = Formatter(doc.locale, doc.currency)
    years = yearly_lines(doc)
    taxes = [
        line_taxes(doc, lines, on=on)
        for lines, on in zip(years, data.tax_points(doc.issued_on), strict=True)
    ]
    per_year = [
        price_lines(doc, lines, taxes=rated) for lines, rated in zip(years, taxes, strict=True)
    ]
    first = per_year[0]
    term_totals = replace(
        first,
        subtotal=_sum(per_year, "subtotal"),
        discount=_sum(per_year, "discount"),
        net=_sum(per_year, "net"),
        tax=_sum(per_year, "tax"),
        total=_sum(per_year, "total"),
        bands=_term_bands(per_year),
    )
    term_taxes = [tax for rated in taxes for tax in rated]
    sections, context = base_context(doc, licence_variables(doc))
    context["term"] = licence_variables(doc)["term"]
    context["licence"] = {
        "authorised_users": data.authorised_users,
        "perpetual_access": data.perpetual_access,
        "sites": [{"name": s.name, "address": s.address} for s in data.sites],
        "uplift_percent": fmt.percent(data.annual_uplift_percent),
    }
    context["years"] = [
        {
            "year": n,
            "starts": fmt.date(_year_start(data.term.start, n - 1)),
            "lines": [
                {
                    "n": index,
                    "description": line.description,
                    "sku": line.sku or "",
                    "quantity": fmt.number(line.quantity),
                    "unit_price": fmt.money(line.unit_price),
                    "discount_percent": fmt.percent(line.discount_percent)
                    if line.discount_percent
                    else "",
                    "amount": fmt.money(priced.amount),
                    "tax_rate_percent": fmt.percent(priced.tax_rate_percent),
                }
                for index, (line, priced) in enumerate(
                    zip(lines, totals.lines, strict=True), start=1
                )
            ],
            "totals": totals_context(doc, totals, rated),
        }
        for n, (lines, totals, rated) in enumerate(
            zip(years, per_year, taxes, strict=True), start=1
        )
    ]
    context["totals"] = totals_context(doc, term_totals, term_taxes)
    context["titles"] = title_rows(data.titles, fmt)
    record = totals_record(doc, first, taxes[0])
    rate = single_rate(term_totals)
    record["tax_rate_percent"] = str(rate) if rate is not None else None
    record["tax_treatment"] = treatment_of(doc, term_taxes)
    record["tax_notes"] = tax_notes(term_taxes)
    record["bands"] = bands_record(term_totals)
    record.update(term_totals.as_strings())
    record["net"] = str(term_totals.net)
    record["years"] = [
        {
            "year": n,
            "starts": _year_start(data.term.start, n - 1).isoformat(),
            **totals.as_strings(),
            "net": str(totals.net),
            "bands": bands_record(totals),
        }
        for n, totals in enumerate(per_year, start=1)
    ]
    return AssembledDocument(
        title=context["doc"]["title"],
        number=doc.number,
        totals=term_totals,
        sections=sections,
        context=context,
        record=record,
    )
