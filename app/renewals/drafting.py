"""A renewal's fee lines, from the contract as amended. Pure: the contract and what the
catalogue lists in, a licence's `lines` out.

The lines are the subscription model's `renewal_lines`: every recurring line in force on
the last day of the term as amended (titles and products amendments added are in, those
they ended are out, a changed price counts from its change, an extension moves the last
day), each at its price for the last contract year with the contract's uplift once more.
Then the configured uplift rule applies as before: a line whose product the catalogue
lists for the renewal's first year takes that list price instead (so a new year's list
supersedes a contract price, as at any renewal); every other line keeps the uplifted
price. One-off fees stay with the old term.

A title removed from the licence's own fees is a credit in the model (a negative line).
A licence prints no negative lines, so the credits of the new first year are summed into
the renewal's header discount amount, which the matrix judges like any discount. A
licence with a header discount percent cannot also take an amount; its credits are left
out and named in `left_out`, for the seller to settle by hand."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from app.assembly.subscription.contract import Contract, ContractLine, renewal_lines

ZERO = Decimal(0)


@dataclass(frozen=True)
class RenewalLines:
    lines: list[dict[str, Any]]
    """The renewal's fee lines, as a licence's data gives them."""
    discount_amount: Decimal
    """The renewal's header discount amount: the licence's own, and the credits."""
    left_out: list[str] = field(default_factory=list)
    """Credits that could not be carried (a header discount percent is in the way)."""


def _root(line: ContractLine) -> str:
    """The key of the line a repriced line replaced (line-1 for line-1@A-2029-000002)."""
    return line.key.split("@", 1)[0]


def renewal_fee_lines(contract: Contract, listed: Mapping[str, bool]) -> RenewalLines:
    """`listed` says, for each SKU the catalogue knows, whether it lists a price for the
    renewal's first year in the contract's currency; an SKU it does not know is renewed
    as a free line at its uplifted price."""
    renewed = renewal_lines(contract)
    order = {key: n for n, key in enumerate(dict.fromkeys(_root(line) for line in contract.lines))}
    renewed.sort(key=lambda line: order[_root(line)])
    lines: list[dict[str, Any]] = []
    credit = ZERO
    credited: list[str] = []
    for line in renewed:
        if line.unit_price < 0:
            credit -= line.unit_price * line.quantity
            credited.append(line.description)
            continue
        out: dict[str, Any] = {
            "quantity": line.quantity,
            "discount_percent": str(line.discount_percent),
            "discount_amount": str(line.discount_amount),
        }
        if line.sku is not None and line.sku in listed:
            out["sku"] = line.sku
            if not listed[line.sku]:
                out["unit_price"] = str(line.unit_price)
        else:
            out["description"] = line.description
            out["unit_price"] = str(line.unit_price)
        lines.append(out)
    if credit and contract.discount_percent:
        return RenewalLines(lines, contract.discount_amount, credited)
    return RenewalLines(lines, contract.discount_amount + credit)
