"""The licence agreement: term, sites and users, the fees of each invoice period of the term
(from the subscription model: contract years with the annual uplift, invoiced in advance by
contract or calendar year), and the licensed titles. Pure: `DocumentInput` in."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from app.assembly.document import (
    AssembledDocument,
    DocumentInput,
    Formatter,
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
from app.assembly.pricing import TaxBand
from app.assembly.schemas import LicenceData
from app.assembly.subscription.contract import Contract
from app.assembly.subscription.documents import licence_contract
from app.assembly.subscription.invoices import PeriodInvoice, RateOf, schedule
from app.assembly.tax import LineTax


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


def contract_of(doc: DocumentInput) -> Contract:
    """The licence as the period model sees it: its first year's lines, priced."""
    taxes = line_taxes(doc)
    lines = totals_record(doc, price_lines(doc, taxes=taxes), taxes)["lines"]
    return licence_contract(_data(doc), lines, day_count=doc.day_count)


def rate_of(doc: DocumentInput) -> RateOf:
    """Each line's rate on a day, by the document's tax rules."""
    return lambda category, day: doc.tax.for_line(category, day).rate_percent


def _taxes(doc: DocumentInput, invoice: PeriodInvoice) -> list[LineTax]:
    """How each line of a period is taxed: on the period's first day, its invoice date."""
    return [doc.tax.for_line(line.tax_category, invoice.invoice_on) for line in invoice.lines]


def _sum(invoices: list[PeriodInvoice], field: str) -> Decimal:
    return sum((getattr(i.totals, field) for i in invoices), Decimal(0))


def _term_bands(invoices: list[PeriodInvoice]) -> tuple[TaxBand, ...]:
    """Each rate's net and tax over the whole term, highest rate first."""
    bands = [band for invoice in invoices for band in invoice.totals.bands]
    rates = sorted({band.rate_percent for band in bands}, reverse=True)
    return tuple(
        TaxBand(
            rate,
            sum((b.net for b in bands if b.rate_percent == rate), Decimal(0)),
            sum((b.tax for b in bands if b.rate_percent == rate), Decimal(0)),
        )
        for rate in rates
    )


def _period_context(
    doc: DocumentInput, invoice: PeriodInvoice, taxes: list[LineTax], fmt: Formatter
) -> dict[str, Any]:
    return {
        "year": invoice.number,
        "starts": fmt.date(invoice.period.start),
        "ends": fmt.date(invoice.period.end),
        "invoice_on": fmt.date(invoice.invoice_on),
        "lines": [
            {
                "n": index,
                "description": line.description,
                "sku": line.sku or "",
                "charged": ""
                if line.charged == invoice.period
                else f"{fmt.date(line.charged.start)} – {fmt.date(line.charged.end)}",
                "quantity": fmt.number(line.quantity),
                "unit_price": fmt.money(line.unit_price),
                "discount_percent": fmt.percent(line.discount_percent)
                if line.discount_percent
                else "",
                "amount": fmt.money(line.amount),
                "tax_rate_percent": fmt.percent(line.tax_rate_percent),
            }
            for index, line in enumerate(invoice.lines, start=1)
        ],
        "totals": totals_context(doc, invoice.totals, taxes),
    }


def period_record(invoice: PeriodInvoice) -> dict[str, Any]:
    """One invoice period's figures as the document keeps them."""
    return {
        "year": invoice.number,
        "starts": invoice.period.start.isoformat(),
        "ends": invoice.period.end.isoformat(),
        "invoice_on": invoice.invoice_on.isoformat(),
        **invoice.totals.as_strings(),
        "net": str(invoice.totals.net),
        "bands": bands_record(invoice.totals),
    }


def assemble_licence(doc: DocumentInput) -> AssembledDocument:
    data = _data(doc)
    fmt = Formatter(doc.locale, doc.currency)
    invoices = schedule(contract_of(doc), rate_of(doc))
    taxes = [_taxes(doc, invoice) for invoice in invoices]
    first_taxes = line_taxes(doc)
    first = price_lines(doc, taxes=first_taxes)
    term_totals = replace(
        first,
        subtotal=_sum(invoices, "subtotal"),
        discount=_sum(invoices, "discount"),
        net=_sum(invoices, "net"),
        tax=_sum(invoices, "tax"),
        total=_sum(invoices, "total"),
        bands=_term_bands(invoices),
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
        _period_context(doc, invoice, rated, fmt)
        for invoice, rated in zip(invoices, taxes, strict=True)
    ]
    context["invoicing"] = doc.labels.get(f"invoice_periods_{data.invoice_periods}", "")
    context["totals"] = totals_context(doc, term_totals, term_taxes)
    context["titles"] = title_rows(data.titles, fmt)
    record = totals_record(doc, first, first_taxes)
    rate = single_rate(term_totals)
    record["tax_rate_percent"] = str(rate) if rate is not None else None
    record["tax_treatment"] = treatment_of(doc, term_taxes)
    record["tax_notes"] = tax_notes(term_taxes)
    record["bands"] = bands_record(term_totals)
    record.update(term_totals.as_strings())
    record["net"] = str(term_totals.net)
    record["invoice_periods"] = data.invoice_periods
    record["day_count"] = doc.day_count
    record["years"] = [period_record(invoice) for invoice in invoices]
    return AssembledDocument(
        title=context["doc"]["title"],
        number=doc.number,
        totals=term_totals,
        sections=sections,
        context=context,
        record=record,
    )
