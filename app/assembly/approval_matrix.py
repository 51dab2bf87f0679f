"""The approval matrix: which approvals a document needs, from whom, in which order.
Read from YAML and checked at start-up; deciding is pure (facts in, approvals out).

Each tier names a role and a condition; tiers run in the order of their `step`, and tiers
sharing a step run in parallel. A document needs every tier whose condition holds.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

APPROVER_ROLES = ("manager", "director", "legal", "finance")


@dataclass(frozen=True)
class Facts:
    """What the matrix looks at, taken from a document as it would be made."""

    discount_percent: Decimal
    """The largest discount, on the header or on any line."""
    total: Decimal
    currency: str
    term_years: int
    non_standard: tuple[str, ...]
    """The playbook fallbacks chosen, as "clause: position"."""


@dataclass(frozen=True)
class RequiredApproval:
    rule: str
    role: str
    reason: str
    step: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Condition(_Strict):
    discount_percent_above: Decimal | None = None
    total_above: Decimal | None = Field(default=None, description="In the base currency")
    term_years_above: int | None = None
    non_standard: bool | None = None

    @model_validator(mode="after")
    def _says_something(self) -> Condition:
        if all(value is None for value in self.model_dump().values()):
            raise ValueError("a tier's `when` names at least one condition")
        return self


class Tier(_Strict):
    name: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    role: Literal["manager", "director", "legal", "finance"]
    step: int = Field(default=1, ge=1, le=20)
    when: Condition


class ApprovalMatrix(_Strict):
    base_currency: str = Field(pattern=r"^[A-Z]{3}$")
    exchange_rates: dict[str, Decimal] = Field(
        default_factory=dict, description="What one unit of each currency is worth in the base"
    )
    tiers: list[Tier] = Field(min_length=1)

    @model_validator(mode="after")
    def _names_unique(self) -> ApprovalMatrix:
        names = [tier.name for tier in self.tiers]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"tier names are given more than once: {', '.join(repeated)}")
        return self

    def in_base(self, amount: Decimal, currency: str) -> Decimal:
        if currency == self.base_currency:
            return amount
        rate = self.exchange_rates.get(currency)
        if rate is None:
            raise ValueError(f"the approval matrix has no exchange rate for {currency}")
        return amount * rate

    def required(self, facts: Facts) -> list[RequiredApproval]:
        total = self.in_base(facts.total, facts.currency)
        needed = []
        for tier in sorted(self.tiers, key=lambda t: t.step):
            reasons = _reasons(tier.when, facts, total, self.base_currency)
            if reasons:
                needed.append(RequiredApproval(tier.name, tier.role, "; ".join(reasons), tier.step))
        return needed


def _figure(value: Decimal) -> str:
    return f"{value.normalize():,f}"


def _reasons(when: Condition, facts: Facts, total: Decimal, base: str) -> list[str]:
    """Every condition of the tier must hold; the reasons say which figures made it so."""
    reasons = []
    if when.discount_percent_above is not None:
        if facts.discount_percent <= when.discount_percent_above:
            return []
        reasons.append(
            f"discount {_figure(facts.discount_percent)} % above "
            f"{_figure(when.discount_percent_above)} %"
        )
    if when.total_above is not None:
        if total <= when.total_above:
            return []
        reasons.append(
            f"total {_figure(total.quantize(Decimal(1)))} {base} above "
            f"{_figure(when.total_above)} {base}"
        )
    if when.term_years_above is not None:
        if facts.term_years <= when.term_years_above:
            return []
        reasons.append(f"term {facts.term_years} years, more than {when.term_years_above}")
    if when.non_standard is not None:
        if bool(facts.non_standard) != when.non_standard:
            return []
        if facts.non_standard:
            reasons.append(f"non-standard clauses ({'; '.join(facts.non_standard)})")
    return reasons


def load_matrix(path: Path) -> ApprovalMatrix:
    """The matrix from its YAML file; a mistake is named with the file and the field."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"{path}: cannot read the approval matrix: {exc}") from exc
    try:
        return ApprovalMatrix.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}" for error in exc.errors()
        )
        raise ValueError(f"{path}: {problems}") from exc
