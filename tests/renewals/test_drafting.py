"""A renewal's fee lines from a contract as amended, without a database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from app.assembly.subscription.contract import (
    AddLine,
    Amendment,
    ChangePrice,
    Contract,
    ContractLine,
    amend,
)
from app.assembly.subscription.periods import Period
from app.renewals.drafting import renewal_fee_lines

D = Decimal


def _contract(**changes: object) -> Contract:
    base = {
        "term": Period(date(2027, 1, 1), date(2028, 12, 31)),
        "currency": "EUR",
        "lines": (
            ContractLine("line-1", "Physics collection", 1, D("10000.00"), sku="JNL-PHYS"),
            ContractLine("line-2", "Chemistry collection", 1, D("8000.00"), sku="JNL-CHEM"),
            ContractLine("line-3", "Hosting", 1, D("1000.00"), sku="GONE"),
            ContractLine("line-4", "Training day", 1, D("900.00"), one_off=True),
        ),
        "uplift_percent": D(5),
    }
    return Contract(**{**base, **changes})  # type: ignore[arg-type]


CREDIT = ContractLine("title-removed:x", "Annals of Sample Chemistry", 1, D("-1000.00"))


def test_a_listed_product_takes_the_new_list_and_every_other_line_the_uplift() -> None:
    repriced = amend(
        _contract(), Amendment("A-1", date(2028, 1, 1), (ChangePrice("line-1", D("12000.00")),))
    )
    fees = renewal_fee_lines(repriced, {"JNL-PHYS": True, "JNL-CHEM": False})
    assert [(line.get("sku"), line.get("unit_price")) for line in fees.lines] == [
        ("JNL-PHYS", None),  # the catalogue's list for the new year, in its own place
        ("JNL-CHEM", "8820.00"),  # 8,000 → 8,400 → 8,820 with the uplift
        (None, "1102.50"),  # a SKU the catalogue no longer knows: a free line
    ]
    assert fees.lines[2]["description"] == "Hosting"
    assert fees.discount_amount == 0 and fees.left_out == []


def test_a_credit_for_a_removed_title_becomes_a_header_amount_unless_a_percent_is_there() -> None:
    credited = amend(_contract(), Amendment("A-1", date(2027, 7, 1), (AddLine(CREDIT),)))
    fees = renewal_fee_lines(credited, {})
    assert len(fees.lines) == 3
    assert fees.discount_amount == D("1102.50")  # 1,000 → 1,050 → 1,102.50
    with_percent = amend(
        _contract(discount_percent=D(5)), Amendment("A-1", date(2027, 7, 1), (AddLine(CREDIT),))
    )
    kept = renewal_fee_lines(with_percent, {})
    assert kept.discount_amount == 0 and kept.left_out == ["Annals of Sample Chemistry"]
