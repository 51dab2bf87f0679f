"""The approval matrix: which approvals a document needs, from whom, in which order.
Read from YAML and checked at start-up; deciding is pure (facts in, approvals out).

Each tier names a role and a condition; tiers run in the order of their `step`, and tiers
sharing a step run in parallel. A document needs every tier whose condition holds.

Figures judged (the matrix page and `approvals explain` show them per document):
- the effective discount: what the customer gets off list, line and header discounts
  compounded, per line and for the whole document, the larger governing
  (`app/assembly/effective_discount.py`);
- the net value (never VAT) in the base currency, for the figure `value_figure` names:
  `term` (the whole term) or `annual` (the largest year), at the rate finance recorded
  for the document's date (or the file's `exchange_rates` when finance recorded none);
- the term in years and the non-standard clause positions chosen.

Each reason is kept as a code with its figures, so pages can say it in their language.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

APPROVER_ROLES = ("manager", "director", "legal", "finance")
Role = Literal["manager", "director", "legal", "finance"]


@dataclass(frozen=True)
class Facts:
    """What the matrix looks at, taken from a document as it would be made."""

    discount_percent: Decimal
    """The effective discount (see the module's docstring)."""
    net_term: Decimal
    """The net value of the whole term, without VAT, in the document's currency."""
    currency: str
    term_years: int
    non_standard: tuple[str, ...]
    """The playbook fallbacks chosen, as "clause: position"."""
    net_annual: Decimal | None = None
    """The net value of the largest year; the whole term's when there is one year."""
    discount_line: int | None = None
    """The line whose discount governs, or None when the whole document does."""


@dataclass(frozen=True)
class Rate:
    """What one unit of a currency is worth in the base currency, and where that came from."""

    value: Decimal
    valid_from: date | None
    source: str
    """`finance` (a dated rate finance recorded), `matrix` (the file) or `base`."""


@dataclass(frozen=True)
class Reason:
    code: str
    """discount-above, value-above, term-above or non-standard."""
    figures: dict[str, Any]
    text: str


@dataclass(frozen=True)
class RequiredApproval:
    rule: str
    role: str
    reason: str
    step: int
    reasons: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Condition(_Strict):
    discount_percent_above: Decimal | None = None
    value_above: Decimal | None = Field(
        default=None,
        validation_alias=AliasChoices("value_above", "total_above"),
        description="The net value (never VAT) in the base currency; `total_above` is "
        "accepted as its old name",
    )
    term_years_above: int | None = None
    non_standard: bool | None = None

    @model_validator(mode="after")
    def _says_something(self) -> Condition:
        if all(value is None for value in self.model_dump().values()):
            raise ValueError("a tier's `when` names at least one condition")
        return self


class Tier(_Strict):
    name: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    role: Role
    step: int = Field(default=1, ge=1, le=20)
    when: Condition


class ApprovalMatrix(_Strict):
    base_currency: str = Field(pattern=r"^[A-Z]{3}$")
    exchange_rates: dict[str, Decimal] = Field(
        default_factory=dict,
        description="What one unit of each currency is worth in the base, where finance "
        "has recorded no dated rate",
    )
    value_figure: Literal["term", "annual"] = "term"
    ranks: list[Role] = Field(
        default_factory=list,
        description="Authority, lowest first: a role may approve a step of any role at or "
        "below it here. A role not listed approves only its own steps.",
    )
    split_window_days: int = Field(
        default=30,
        ge=0,
        le=366,
        description="Documents for one customer created this close together are valued "
        "together to flag deal splitting",
    )
    tiers: list[Tier] = Field(min_length=1)

    @model_validator(mode="after")
    def _names_unique(self) -> ApprovalMatrix:
        names = [tier.name for tier in self.tiers]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"tier names are given more than once: {', '.join(repeated)}")
        if len(set(self.ranks)) != len(self.ranks):
            raise ValueError("ranks name a role more than once")
        return self

    def file_rate(self, currency: str) -> Rate:
        """The rate the file gives; finance's dated rates take precedence (services)."""
        if currency == self.base_currency:
            return Rate(Decimal(1), None, "base")
        rate = self.exchange_rates.get(currency)
        if rate is None:
            raise ValueError(f"the approval matrix has no exchange rate for {currency}")
        return Rate(rate, None, "matrix")

    def in_base(self, amount: Decimal, currency: str) -> Decimal:
        return amount * self.file_rate(currency).value

    def may_approve(self, role: str, step_role: str) -> bool:
        """Whether a role has the authority for a step meant for `step_role`."""
        if role == step_role:
            return True
        ranks: list[str] = list(self.ranks)
        return role in ranks and step_role in ranks and ranks.index(role) > ranks.index(step_role)

    def value_of(self, facts: Facts) -> Decimal:
        if self.value_figure == "annual" and facts.net_annual is not None:
            return facts.net_annual
        return facts.net_term

    def required(self, facts: Facts, rate: Rate | None = None) -> list[RequiredApproval]:
        rate = rate or self.file_rate(facts.currency)
        needed = []
        for tier in sorted(self.tiers, key=lambda t: t.step):
            reasons = self.reasons(tier.when, facts, rate)
            if reasons is not None:
                needed.append(
                    RequiredApproval(
                        tier.name,
                        tier.role,
                        "; ".join(r.text for r in reasons),
                        tier.step,
                        [{"code": r.code, "figures": r.figures} for r in reasons],
                    )
                )
        return needed

    def reasons(self, when: Condition, facts: Facts, rate: Rate) -> list[Reason] | None:
        """Every condition of the tier must hold (else None); the reasons give the figures."""
        checked = self.conditions(when, facts, rate)
        return [reason for reason, _ in checked] if all(h for _, h in checked) else None

    def conditions(self, when: Condition, facts: Facts, rate: Rate) -> list[tuple[Reason, bool]]:
        """Each condition of a tier with its figures and whether it holds (for explaining)."""
        checked = []
        if when.discount_percent_above is not None:
            checked.append(
                (
                    _discount_reason(facts, when.discount_percent_above),
                    facts.discount_percent > when.discount_percent_above,
                )
            )
        if when.value_above is not None:
            net = self.value_of(facts)
            value = (net * rate.value).quantize(Decimal("0.01"))
            checked.append(
                (
                    self._value_reason(facts, net, value, rate, when.value_above),
                    value > when.value_above,
                )
            )
        if when.term_years_above is not None:
            checked.append(
                (
                    Reason(
                        "term-above",
                        {"years": facts.term_years, "threshold": when.term_years_above},
                        f"term {facts.term_years} years, more than {when.term_years_above}",
                    ),
                    facts.term_years > when.term_years_above,
                )
            )
        if when.non_standard is not None:
            checked.append(
                (
                    Reason(
                        "non-standard",
                        {"clauses": list(facts.non_standard), "wanted": when.non_standard},
                        f"non-standard clauses ({'; '.join(facts.non_standard) or 'none'})",
                    ),
                    bool(facts.non_standard) == when.non_standard,
                )
            )
        return checked

    def _value_reason(
        self, facts: Facts, net: Decimal, value: Decimal, rate: Rate, threshold: Decimal
    ) -> Reason:
        base = self.base_currency
        figures = {
            "figure": self.value_figure,
            "net": str(net),
            "currency": facts.currency,
            "rate": str(rate.value),
            "rate_valid_from": rate.valid_from.isoformat() if rate.valid_from else None,
            "rate_source": rate.source,
            "base_value": str(value),
            "base_currency": base,
            "threshold": str(threshold),
        }
        text = (
            f"net {'annual ' if self.value_figure == 'annual' else ''}value "
            f"{_figure(value.quantize(Decimal(1)))} {base} above {_figure(threshold)} {base}"
        )
        return Reason("value-above", figures, text)


def _discount_reason(facts: Facts, threshold: Decimal) -> Reason:
    where = f" on line {facts.discount_line}" if facts.discount_line else ""
    return Reason(
        "discount-above",
        {
            "discount_percent": str(facts.discount_percent),
            "threshold": str(threshold),
            "line": facts.discount_line,
        },
        f"discount {_figure(facts.discount_percent)} %{where} above {_figure(threshold)} %",
    )


def _figure(value: Decimal) -> str:
    return f"{value.normalize():,f}"


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
