"""A renewal's figures for the renewal pipeline, priced once when the renewal is written
(created, revised, seeded) and stored on it, so that the report only adds them up."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from app.assembly.schemas import LicenceData
from app.assembly.subscription.documents import licence_contract
from app.assembly.subscription.invoices import contract_value, schedule
from app.assembly.subscription.periods import Period, contract_year


def _untaxed(category: str, day: date) -> Decimal:
    return Decimal(0)


def renewal_values(data: dict[str, Any], totals: dict[str, Any]) -> tuple[Decimal, Decimal]:
    """A renewal's net annual value (its first contract year, whatever its invoice
    periods) and its total contract value (net over the term), in its currency."""
    # the titles play no part in the fees; leaving them out spares validating thousands
    fields = {k: v for k, v in data.items() if k not in ("issued_on", "titles")}
    contract = licence_contract(
        LicenceData.model_validate(fields),
        totals["lines"],
        day_count=totals.get("day_count", "actual/365"),
    )
    first = contract_year(contract.term.start, 0)
    first_year = replace(
        contract,
        term=Period(first.start, min(first.end, contract.term.end)),
        invoice_periods="contract-years",
    )
    return (
        contract_value(schedule(first_year, _untaxed)),
        contract_value(schedule(contract, _untaxed)),
    )


@dataclass(frozen=True)
class StoredValues:
    starts_on: date
    net_annual: Decimal
    net_term: Decimal


def stored_values(data: dict[str, Any], totals: dict[str, Any]) -> StoredValues:
    """What a renewal stores for the pipeline: its term's first day and its two values."""
    annual, term = renewal_values(data, totals)
    return StoredValues(date.fromisoformat(data["term"]["start"]), annual, term)
