"""The discount the customer really gets off list price, which is what approval judges.

Each line is measured against its reference: the catalogue list price times the quantity
where there is one, else the line's own price times the quantity. What the customer pays
for a line is its amount after its own discount and its share of the header discount
(line and header discounts compound: 10 % and 10 % take 19 % off). A price override under
list and a free line (price 0) are discounts like any other. The whole document is
measured the same way over every line; the larger of the deepest line and the whole
document governs. Lines with no positive reference (a credit, a free-text line at 0) have
nothing to be discounted from and are left out, and they do not lower what the other lines
are paid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

HUNDRED = Decimal(100)
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class DiscountLine:
    quantity: int
    unit_price: Decimal
    list_price: Decimal | None
    amount: Decimal
    """The line's amount after its own discount, before the header discount."""


@dataclass(frozen=True)
class EffectiveDiscount:
    percent: Decimal
    """The larger of the deepest line and the whole document, rounded to 0.01."""
    line: int | None
    """The 1-based line that governs, or None when the whole document does."""
    document_percent: Decimal
    line_percents: tuple[Decimal | None, ...]


def _percent(reference: Decimal, paid: Decimal) -> Decimal:
    return ((reference - paid) * HUNDRED / reference).quantize(_CENT, rounding=ROUND_HALF_UP)


def effective_discount(
    lines: Sequence[DiscountLine], *, subtotal: Decimal, header_discount: Decimal
) -> EffectiveDiscount:
    # A header discount needs a positive subtotal; an amendment that credits more than it
    # adds has none, and what it adds is paid in full.
    share = (subtotal - header_discount) / subtotal if subtotal > 0 else Decimal(1)
    per_line: list[Decimal | None] = []
    reference_sum = paid_sum = Decimal(0)
    for line in lines:
        price = line.list_price if line.list_price is not None else line.unit_price
        reference = price * line.quantity
        if reference <= 0:
            per_line.append(None)
            continue
        paid = line.amount * share
        per_line.append(_percent(reference, paid))
        reference_sum += reference
        paid_sum += paid
    document = _percent(reference_sum, paid_sum) if reference_sum > 0 else Decimal("0.00")
    deepest = max(
        ((p, n) for n, p in enumerate(per_line, start=1) if p is not None),
        default=(Decimal("0.00"), 0),
    )
    if deepest[0] > document:
        return EffectiveDiscount(deepest[0], deepest[1], document, tuple(per_line))
    return EffectiveDiscount(document, None, document, tuple(per_line))


def from_record(record: dict[str, Any]) -> EffectiveDiscount:
    """The effective discount of a document's totals record (as stored with it)."""
    lines = [
        DiscountLine(
            quantity=int(line["quantity"]),
            unit_price=Decimal(line["unit_price"]),
            list_price=Decimal(line["list_price"]) if line.get("list_price") else None,
            amount=Decimal(line["amount"]),
        )
        for line in record.get("lines", [])
    ]
    subtotal = sum((line.amount for line in lines), Decimal(0))
    record_subtotal = Decimal(record.get("subtotal", "0"))
    header = Decimal(record.get("discount", "0"))
    # A licence's record holds the term's subtotal and discount and the first year's
    # lines: the header's share is the same in every year, so take it from the term.
    if record_subtotal > 0 and record_subtotal != subtotal:
        header = header * subtotal / record_subtotal
    return effective_discount(lines, subtotal=subtotal, header_discount=header)
