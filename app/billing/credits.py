"""What to credit when a signed contract is cancelled, wholly or some of its lines. Pure.

A line's share of the header discount is credited with it, and the tax on what is credited
is worked out as on the invoice, rate by rate: a full cancellation credits exactly what was
invoiced, less what earlier partial cancellations credited already."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app.assembly.pricing import HUNDRED, round_money


@dataclass(frozen=True)
class Credit:
    lines: list[int]
    net: Decimal
    tax: Decimal
    total: Decimal

    def as_json(self) -> dict[str, Any]:
        return {
            "lines": self.lines,
            "net": str(self.net),
            "tax": str(self.tax),
            "total": str(self.total),
        }


def credit_for(
    totals: dict[str, Any],
    lines: list[int],
    *,
    currency: str,
    credited_before: list[Credit],
) -> Credit:
    """The credit for cancelling `lines` (indexes into the record's lines)."""
    already = {index for credit in credited_before for index in credit.lines}
    remaining = [i for i in range(len(totals["lines"])) if i not in already]
    if sorted(lines) == remaining:
        net = Decimal(totals["net"]) - sum((c.net for c in credited_before), Decimal(0))
        tax = Decimal(totals["tax"]) - sum((c.tax for c in credited_before), Decimal(0))
        return Credit(sorted(lines), net, tax, net + tax)
    subtotal = Decimal(totals["subtotal"])
    net = tax = Decimal(0)
    for rate, indexes in _by_rate(totals, lines).items():
        amount = sum((Decimal(totals["lines"][i]["amount"]) for i in indexes), Decimal(0))
        discount = (
            round_money(Decimal(totals["discount"]) * amount / subtotal, currency)
            if subtotal
            else Decimal(0)
        )
        net += amount - discount
        tax += round_money((amount - discount) * rate / HUNDRED, currency)
    return Credit(sorted(lines), net, tax, net + tax)


def _by_rate(totals: dict[str, Any], lines: list[int]) -> dict[Decimal, list[int]]:
    """The lines by the rate they were taxed at (a record made before tax by line kept
    one rate for all)."""
    groups: dict[Decimal, list[int]] = {}
    for i in lines:
        rate = totals["lines"][i].get("tax_rate_percent", totals["tax_rate_percent"])
        groups.setdefault(Decimal(rate), []).append(i)
    return groups
