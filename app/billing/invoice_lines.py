"""An invoice's lines as the ledger keeps them and an event carries them, from the
subscription model's priced periods and adjustments; and what a period has been invoiced
so far, read back from those lines. Pure.

A line keeps every figure an ERP prints (quantity, unit price, discount, net, tax
category, rate, tax, gross) as decimal strings; an invoice's totals are the sums of its
lines, so a credit note's lines always add up to what it credits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from app.assembly.pricing import LineInput, price_quote
from app.assembly.subscription.invoices import (
    Adjustment,
    Invoiced,
    InvoiceLine,
    PeriodInvoice,
    RateOf,
)
from app.assembly.subscription.periods import ONE_DAY, Period

ZERO = Decimal(0)


def period_lines(invoice: PeriodInvoice) -> list[dict[str, Any]]:
    """A priced period's lines."""
    return [_line(line) for line in invoice.lines]


def _line(line: InvoiceLine) -> dict[str, Any]:
    return {
        "key": line.key,
        "sku": line.sku,
        "description": line.description,
        "charged_from": line.charged.start.isoformat(),
        "charged_to": line.charged.end.isoformat(),
        "quantity": line.quantity,
        "unit_price": str(line.unit_price),
        "discount_percent": str(line.discount_percent),
        "amount": str(line.amount),
        "net": str(line.net),
        "tax_category": line.tax_category,
        "tax_rate_percent": str(line.tax_rate_percent),
        "tax": str(line.tax),
        "gross": str(line.gross),
    }


def adjustment_lines(
    lines: Sequence[Adjustment],
    target: PeriodInvoice | None,
    booked: Iterable[dict[str, Any]],
    period: Period,
) -> list[dict[str, Any]]:
    """An adjustment's (or a credit note's) lines: each the change of one contract line's
    net and tax in the period, as one unit at that price, over the days it changes (those
    added or taken off the end of what was charged; all of them for a new or a repriced
    line, or one credited whole)."""
    now = {line.key: line.charged for line in target.lines} if target else {}
    before: dict[str, Period] = {}
    for entry in booked:
        span = Period(
            date.fromisoformat(entry["charged_from"]), date.fromisoformat(entry["charged_to"])
        )
        known = before.get(entry["key"])
        before[entry["key"]] = (
            Period(min(known.start, span.start), max(known.end, span.end)) if known else span
        )
    out = []
    for line in lines:
        charged = _changed_days(now.get(line.key), before.get(line.key)) or period
        out.append(
            {
                "key": line.key,
                "sku": line.sku,
                "description": line.description,
                "charged_from": charged.start.isoformat(),
                "charged_to": charged.end.isoformat(),
                "quantity": 1,
                "unit_price": str(line.net),
                "discount_percent": "0",
                "amount": str(line.net),
                "net": str(line.net),
                "tax_category": line.tax_category,
                "tax_rate_percent": str(line.tax_rate_percent),
                "tax": str(line.tax),
                "gross": str(line.gross),
            }
        )
    return out


def _changed_days(now: Period | None, before: Period | None) -> Period | None:
    if now is None or before is None:
        return now or before
    if now.start == before.start and now.end < before.end:
        return Period(now.end + ONE_DAY, before.end)
    if now.start == before.start and now.end > before.end:
        return Period(before.end + ONE_DAY, now.end)
    return now


def totals_of(lines: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """An invoice's totals: the sums of its lines, the header discount being what lies
    between their amounts and their nets, and the tax by rate."""
    subtotal = net = tax = ZERO
    bands: dict[Decimal, list[Decimal]] = {}
    for line in lines:
        subtotal += Decimal(line["amount"])
        net += Decimal(line["net"])
        tax += Decimal(line["tax"])
        band = bands.setdefault(Decimal(line["tax_rate_percent"]), [ZERO, ZERO])
        band[0] += Decimal(line["net"])
        band[1] += Decimal(line["tax"])
    return {
        "subtotal": str(subtotal),
        "discount": str(subtotal - net),
        "net": str(net),
        "tax": str(tax),
        "total": str(net + tax),
        "bands": [
            {"tax_rate_percent": str(rate), "net": str(n), "tax": str(t)}
            for rate, (n, t) in sorted(bands.items(), reverse=True)
        ],
    }


def invoiced(rows: Iterable[Sequence[dict[str, Any]]]) -> dict[str, Invoiced]:
    """What a period has been invoiced for each contract line, less what was credited,
    over the lines of every invoice, adjustment and credit note of the period."""
    out: dict[str, Invoiced] = {}
    for lines in rows:
        for line in lines:
            before = out.get(line["key"])
            out[line["key"]] = Invoiced(
                line["description"],
                line["sku"],
                line["tax_category"],
                Decimal(line["tax_rate_percent"]),
                (before.net if before else ZERO) + Decimal(line["net"]),
                (before.tax if before else ZERO) + Decimal(line["tax"]),
            )
    return out


def quote_invoice(
    record: dict[str, Any], *, currency: str, period: Period, rate_of: RateOf
) -> PeriodInvoice:
    """A quote's one invoice: its subscription period, its lines priced as the quote was
    (`record`, the document's stored totals), keyed line-1, line-2… as a licence's are."""
    lines = record["lines"]
    totals = price_quote(
        [
            LineInput(
                int(line["quantity"]),
                Decimal(line["unit_price"]),
                Decimal(line.get("discount_percent") or 0),
                Decimal(line.get("discount_amount") or 0),
                rate_of(line.get("tax_category") or "standard", period.start),
            )
            for line in lines
        ],
        currency=currency,
        discount_percent=Decimal(record.get("discount_percent") or 0),
        discount_amount=Decimal(record.get("discount_amount") or 0),
    )
    return PeriodInvoice(
        number=1,
        period=period,
        lines=tuple(
            InvoiceLine(
                key=f"line-{index + 1}",
                description=line["description"],
                sku=line.get("sku"),
                tax_category=line.get("tax_category") or "standard",
                charged=period,
                quantity=int(line["quantity"]),
                unit_price=Decimal(line["unit_price"]),
                discount_percent=Decimal(line.get("discount_percent") or 0),
                amount=priced.amount,
                net=priced.net,
                tax_rate_percent=priced.tax_rate_percent,
                tax=priced.tax,
            )
            for index, (line, priced) in enumerate(zip(lines, totals.lines, strict=True))
        ),
        totals=totals,
    )


def invoice_date(period_start: date, today: date) -> date:
    """In advance: on the period's first day, or the day it is issued if that is later
    (an invoice is never dated in the past)."""
    return max(period_start, today)
