"""What a revision changed in the figures an approval was given for. Pure."""

from __future__ import annotations

from typing import Any

_HEADLINE = (
    ("currency", "currency"),
    ("subtotal", "subtotal"),
    ("discount", "discount"),
    ("tax_rate_percent", "tax rate %"),
    ("total", "total"),
)
_LINE = ("description", "quantity", "unit_price", "discount_percent", "discount_amount", "amount")


def priced_changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The priced figures that differ between two totals records, in words, e.g.
    `total 17625.00 → 18500.00`; empty when nothing priced changed."""
    changes = [
        f"{name} {before.get(key)} → {after.get(key)}"
        for key, name in _HEADLINE
        if str(before.get(key)) != str(after.get(key))
    ]
    old_lines, new_lines = before.get("lines", []), after.get("lines", [])
    if len(old_lines) != len(new_lines):
        changes.append(f"lines {len(old_lines)} → {len(new_lines)}")
    for n, (old, new) in enumerate(zip(old_lines, new_lines, strict=False), start=1):
        changes.extend(
            f"line {n} {field.replace('_', ' ')} {old.get(field)} → {new.get(field)}"
            for field in _LINE
            if str(old.get(field)) != str(new.get(field))
        )
    old_years, new_years = before.get("years", []), after.get("years", [])
    if [y.get("starts") for y in old_years] != [y.get("starts") for y in new_years]:
        changes.append(f"term years {len(old_years)} → {len(new_years)}")
    return changes
