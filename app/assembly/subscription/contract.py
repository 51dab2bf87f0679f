"""The contract as data: its term and the lines in force on each day, and the changes an
amendment makes to it from its effective date to the end of the term.

A line's unit price is the annual price for one contract year (`priced_year`); every
later year takes the licence's uplift on the year before, rounded to the currency, as the
licence prints it. A line added mid-term is priced for the year it starts in. Changes:

- adding a line (a title or a product): from the effective date to the end of the term;
- ending a line (a title or product removed): nothing from the effective date on; an
  original title that carries no line of its own is credited by a negative line instead;
- changing a price: the line ends and a line at the new price starts on the same day;
- extending the term: every recurring line in force at the old end runs on;
- a one-off fee: charged once, in the invoice period its date falls in.

Cancelling is ending every line on a date and the term the day before."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from functools import cached_property

from app.assembly.pricing import apply_uplift
from app.assembly.proration import DayCount
from app.assembly.subscription.periods import (
    ONE_DAY,
    InvoicePeriods,
    Period,
    year_index,
)

ZERO = Decimal(0)


@dataclass(frozen=True)
class ContractLine:
    key: str
    """Stable across amendments: how a line is matched between schedules."""
    description: str
    quantity: int
    unit_price: Decimal
    """Per unit for one contract year (or the fee, for a one-off line)."""
    sku: str | None = None
    priced_year: int = 0
    discount_percent: Decimal = ZERO
    discount_amount: Decimal = ZERO
    """An amount off the line per contract year."""
    tax_category: str = "standard"
    starts: date | None = None
    """None: from the term's start."""
    ends: date | None = None
    """The last day charged; None: to the term's end."""
    one_off: bool = False
    source: str = ""
    """The document that brought the line: the licence's or an amendment's number."""

    def active(self, term: Period) -> Period | None:
        """The days of the term the line is charged for (its first day, if one-off)."""
        start = term.start if self.starts is None or self.starts < term.start else self.starts
        if self.one_off:
            end = start
        else:
            end = term.end if self.ends is None or self.ends > term.end else self.ends
        return Period(start, end) if start <= end else None

    def unit_price_in(self, year: int, uplift: Decimal, currency: str) -> Decimal:
        price = self.unit_price
        for _ in range(self.priced_year, year):
            price = apply_uplift(price, uplift, currency)
        return price


@dataclass(frozen=True)
class Contract:
    term: Period
    currency: str
    lines: tuple[ContractLine, ...]
    uplift_percent: Decimal = ZERO
    invoice_periods: InvoicePeriods = "contract-years"
    day_count: DayCount = "actual/365"
    discount_percent: Decimal = ZERO
    """The header discount, on every period."""
    discount_amount: Decimal = ZERO
    """A header discount per contract year, as an amount."""
    original_end: date | None = None
    cancelled_from: date | None = None

    def year_of(self, day: date) -> int:
        return year_index(self.term.start, day)

    def line(self, key: str) -> ContractLine | None:
        return self._by_key.get(key)

    @cached_property
    def _by_key(self) -> dict[str, ContractLine]:
        return {line.key: line for line in self.lines}


@dataclass(frozen=True)
class AddLine:
    line: ContractLine


@dataclass(frozen=True)
class EndLine:
    key: str


@dataclass(frozen=True)
class ChangePrice:
    key: str
    unit_price: Decimal
    """The new annual price for the contract year the change takes effect in."""


@dataclass(frozen=True)
class ExtendTerm:
    new_end: date


Change = AddLine | EndLine | ChangePrice | ExtendTerm


@dataclass(frozen=True)
class Amendment:
    number: str
    effective: date
    changes: tuple[Change, ...]


class ChangeProblem(ValueError):
    """A change that does not fit the contract as it stands; `field` names what."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _ended(line: ContractLine, effective: date) -> ContractLine:
    if line.one_off or (line.ends is not None and line.ends < effective):
        return line
    return replace(line, ends=effective - ONE_DAY)


def amend(contract: Contract, amendment: Amendment) -> Contract:
    """The contract with the amendment's changes in force from its effective date."""
    effective = amendment.effective
    if not contract.term.holds(effective):
        raise ChangeProblem(
            "effective_date", f"the term runs from {contract.term.start} to {contract.term.end}"
        )
    lines = list(contract.lines)
    where = {line.key: index for index, line in enumerate(lines)}
    term = contract.term
    year = contract.year_of(effective)

    def add(line: ContractLine) -> None:
        if line.key in where:
            raise ChangeProblem("lines", f"the contract has a line {line.key} already")
        where[line.key] = len(lines)
        lines.append(replace(line, starts=effective, priced_year=year, source=amendment.number))

    for change in amendment.changes:
        if isinstance(change, ExtendTerm):
            if change.new_end <= term.end:
                raise ChangeProblem("new_end_date", f"the term already runs to {term.end}")
            lines = [_open_ended(line, term.end) for line in lines]
            term = Period(term.start, change.new_end)
        elif isinstance(change, AddLine):
            add(change.line)
        else:
            index = where.get(change.key)
            if index is None or not _in_force(lines[index], term, effective):
                raise ChangeProblem("lines", f"no line {change.key} is in force on {effective}")
            old = lines[index]
            lines[index] = _ended(old, effective)
            if isinstance(change, ChangePrice):
                add(replace(old, key=f"{old.key}@{amendment.number}", unit_price=change.unit_price))
    return replace(contract, term=term, lines=tuple(lines))


def _open_ended(line: ContractLine, old_end: date) -> ContractLine:
    """A line that ran to the old end runs to the new one."""
    return replace(line, ends=None) if line.ends == old_end else line


def _in_force(line: ContractLine, term: Period, day: date) -> bool:
    active = line.active(term)
    return active is not None and not line.one_off and active.holds(day)


def amend_all(contract: Contract, amendments: Sequence[Amendment]) -> Contract:
    """The contract after every amendment, in the order they take effect."""
    for amendment in sorted(amendments, key=lambda a: (a.effective, a.number)):
        contract = amend(contract, amendment)
    return contract


def cancel(contract: Contract, effective: date) -> Contract:
    """The contract cancelled from `effective`: nothing is charged from that day on."""
    if not contract.term.start < effective <= contract.term.end:
        raise ChangeProblem(
            "effective_date",
            f"a cancellation takes effect after {contract.term.start} and by {contract.term.end}",
        )
    return replace(
        contract,
        term=Period(contract.term.start, effective - ONE_DAY),
        lines=tuple(_ended(line, effective) for line in contract.lines),
        cancelled_from=effective,
    )


def renewal_lines(contract: Contract) -> list[ContractLine]:
    """The next term's lines: every recurring line in force on the term's last day, at its
    price for the last contract year with the uplift once more, priced for the new first
    year; one-off fees and lines ended before the end stay behind."""
    last = contract.term.end
    year = contract.year_of(last)
    renewed = []
    for line in contract.lines:
        if not _in_force(line, contract.term, last):
            continue
        price = line.unit_price_in(year + 1, contract.uplift_percent, contract.currency)
        renewed.append(
            replace(line, unit_price=price, priced_year=0, starts=None, ends=None, source="")
        )
    return renewed
