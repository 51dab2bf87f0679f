"""Which approvals a quote needs before it may be sent. Pure: data in, rules out."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class RequiredApproval:
    rule: str
    role: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _percent(value: Decimal) -> str:
    return f"{value.normalize():f} %"


def required_approvals(
    *, header_discount: Decimal, line_discounts: list[Decimal], threshold: Decimal
) -> list[RequiredApproval]:
    """A discount above `threshold` percent, on the header or any line, needs a manager."""
    reasons = []
    if header_discount > threshold:
        reasons.append(f"header discount {_percent(header_discount)}")
    reasons += [
        f"line {number} discount {_percent(discount)}"
        for number, discount in enumerate(line_discounts, start=1)
        if discount > threshold
    ]
    if not reasons:
        return []
    return [
        RequiredApproval(
            rule="discount_above_threshold",
            role="manager",
            reason=f"{'; '.join(reasons)} above {_percent(threshold)}",
        )
    ]
