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


def priced_change_items(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """The priced figures that differ between two totals records, each as `what` (a
    headline key, `lines`, `term_years`, or `line` with its number `line` and `field`),
    `before` and `after`; empty when nothing priced changed."""
    items: list[dict[str, Any]] = [
        {"what": key, "before": before.get(key), "after": after.get(key)}
        for key, _ in _HEADLINE
        if str(before.get(key)) != str(after.get(key))
    ]
    old_lines, new_lines = before.get("lines", []), after.get("lines", [])
    if len(old_lines) != len(new_lines):
        items.append({"what": "lines", "before": len(old_lines), "after": len(new_lines)})
    for n, (old, new) in enumerate(zip(old_lines, new_lines, strict=False), start=1):
        items.extend(
            {
                "what": "line",
                "line": n,
                "field": field,
                "before": old.get(field),
                "after": new.get(field),
            }
            for field in _LINE
            if str(old.get(field)) != str(new.get(field))
        )
    old_years, new_years = before.get("years", []), after.get("years", [])
    if [y.get("starts") for y in old_years] != [y.get("starts") for y in new_years]:
        items.append({"what": "term_years", "before": len(old_years), "after": len(new_years)})
    return items


def priced_changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The same changes in words, e.g. `total 17625.00 → 18500.00` (the API's text)."""
    names = dict(_HEADLINE) | {"lines": "lines", "term_years": "term years"}
    return [
        f"line {item['line']} {item['field'].replace('_', ' ')} {item['before']} → {item['after']}"
        if item["what"] == "line"
        else f"{names[item['what']]} {item['before']} → {item['after']}"
        for item in priced_change_items(before, after)
    ]
