"""The contract model read from a licence's and its amendments' data, and what an
amendment changes, invoice period by invoice period. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from app.assembly.consolidation import title_key
from app.assembly.proration import DayCount
from app.assembly.schemas import AmendmentData, LicenceData, TitleIn
from app.assembly.subscription.contract import (
    AddLine,
    Amendment,
    Change,
    ChangePrice,
    ChangeProblem,
    Contract,
    ContractLine,
    EndLine,
    ExtendTerm,
    amend,
)
from app.assembly.subscription.invoices import (
    Invoiced,
    PeriodInvoice,
    RateOf,
    adjustments,
    schedule,
)
from app.assembly.subscription.periods import Period

STANDARD = "standard"
TITLE_CATEGORY = "e-publication"
"""The tax category of a title charged on its own (a journal or an e-book)."""


def line_key(index: int) -> str:
    """A licence line's key: line-1 for its first fee line."""
    return f"line-{index + 1}"


def licence_contract(
    data: LicenceData, lines: Sequence[dict[str, Any]], *, day_count: DayCount
) -> Contract:
    """The licence as signed. `lines` are its priced fee lines as the document's record
    keeps them (sku, description, quantity, unit_price, discounts, tax_category)."""
    return Contract(
        term=Period(data.term.start, data.term.end),
        currency=data.currency,
        lines=tuple(
            ContractLine(
                key=line_key(index),
                description=line["description"],
                sku=line.get("sku"),
                quantity=int(line["quantity"]),
                unit_price=Decimal(line["unit_price"]),
                discount_percent=Decimal(line.get("discount_percent") or 0),
                discount_amount=Decimal(line.get("discount_amount") or 0),
                tax_category=line.get("tax_category") or "standard",
            )
            for index, line in enumerate(lines)
        ),
        uplift_percent=data.annual_uplift_percent,
        invoice_periods=data.invoice_periods,
        day_count=day_count,
        discount_percent=data.discount_percent,
        discount_amount=data.discount_amount,
        original_end=data.term.end,
    )


def title_line(title: TitleIn, price: Decimal, key: str | None = None) -> ContractLine:
    return ContractLine(
        key=key or "title:" + title_key(title),
        description=title.title,
        quantity=1,
        unit_price=price,
        tax_category=TITLE_CATEGORY,
    )


def _removal(before: Contract, title: TitleIn, effective: date) -> Change | None:
    """A title removed: its own line ends; an original title (part of the licence's fees)
    is credited from the effective date at its price for that year; a title without a
    price changes no fee."""
    own = before.line("title:" + title_key(title))
    if own is not None:
        return EndLine(own.key)
    if title.price is None:
        return None
    year = before.year_of(effective)
    price = title_line(title, title.price).unit_price_in(
        year, before.uplift_percent, before.currency
    )
    return AddLine(title_line(title, -price, key="title-removed:" + title_key(title)))


def _line_named(before: Contract, ref: str, effective: date) -> str:
    for line in reversed(before.lines):
        active = line.active(before.term)
        if ref in (line.key, line.sku) and active and active.holds(effective):
            return line.key
    raise ChangeProblem("price_changes", f"no line {ref!r} of the licence is in force")


def amendment_changes(data: AmendmentData, number: str, before: Contract) -> Amendment:
    """The amendment's changes to the contract as it stands before it."""
    effective = data.effective_date
    changes: list[Change] = [
        AddLine(title_line(title, title.price))
        for title in data.titles_added
        if title.price is not None
    ]
    for title in data.titles_removed:
        removal = _removal(before, title, effective)
        if removal is not None:
            changes.append(removal)
    changes += [
        AddLine(
            ContractLine(
                key=f"{number}:product-{index + 1}",
                description=product.description,
                sku=product.sku,
                quantity=product.quantity,
                unit_price=product.unit_price,
                discount_percent=product.discount_percent,
                tax_category=product.tax_category,
            )
        )
        for index, product in enumerate(data.products_added)
    ]
    changes += [
        ChangePrice(_line_named(before, change.line, effective), change.unit_price)
        for change in data.price_changes
    ]
    changes += [
        AddLine(
            ContractLine(
                key=f"{number}:fee-{index + 1}",
                description=fee.description or fee.sku or "",
                sku=fee.sku,
                quantity=fee.quantity,
                unit_price=fee.unit_price or Decimal(0),
                discount_percent=fee.discount_percent,
                tax_category=fee.tax_category or STANDARD,
                one_off=True,
            )
        )
        for index, fee in enumerate(data.fees)
    ]
    if data.new_end_date is not None:
        changes.append(ExtendTerm(data.new_end_date))
    return Amendment(number, effective, tuple(changes))


def invoiced_lines(invoice: PeriodInvoice | None) -> dict[str, Invoiced]:
    """A period's invoice as what has been invoiced for each of its lines."""
    if invoice is None:
        return {}
    return {
        line.key: Invoiced(
            line.description, line.sku, line.tax_category, line.tax_rate_percent, line.net, line.tax
        )
        for line in invoice.lines
    }


def period_changes(
    before: Contract, after: Contract, effective: date, rate_of: RateOf
) -> list[dict[str, Any]]:
    """What the change from `before` to `after`, from `effective` on, charges (or credits)
    in each invoice period, one line per contract line and period, as an amendment's data
    keeps them with the days of the period it changes."""
    old = {invoice.period.start: invoice for invoice in schedule(before, rate_of)}
    new = {invoice.period.start: invoice for invoice in schedule(after, rate_of)}
    out = []
    for start in sorted(set(old) | set(new)):
        period = (new.get(start) or old[start]).period
        for line in adjustments(new.get(start), invoiced_lines(old.get(start))):
            if not line.net:
                continue  # only its share of a rate's tax moved: the amendment prices nets
            out.append(
                {
                    "key": line.key,
                    "description": line.description,
                    "sku": None,
                    "quantity": 1,
                    "unit_price": str(line.net),
                    "tax_category": line.tax_category,
                    "period_start": max(period.start, effective).isoformat(),
                    "period_end": period.end.isoformat(),
                }
            )
    return out


def as_amended(original: Contract, amendments: Iterable[tuple[str, AmendmentData]]) -> Contract:
    """The contract after its amendments, in the order they take effect (each read
    against the contract as it stood before it)."""
    steps = amended_steps(original, amendments)
    return steps[-1][1] if steps else original


def amended_steps(
    original: Contract, amendments: Iterable[tuple[str, AmendmentData]]
) -> list[tuple[str, Contract]]:
    """Each amendment's number with the contract as it left it, in the order they take
    effect."""
    contract, steps = original, []
    for number, data in sorted(amendments, key=lambda a: (a[1].effective_date, a[0])):
        contract = amend(contract, amendment_changes(data, number, contract))
        steps.append((number, contract))
    return steps
