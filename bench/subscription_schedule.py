"""The subscription model at scale: a licence of 3,000 titles over a three-year term with
ten signed amendments (titles added and removed, a price changed, a product added, a
one-off fee, the term extended), read as amended (the contract and its titles) and
invoiced period by period; beside a plain Decimal sum of the same lines over the same
periods, measured in the same run.

Two licences: the usual one, whose fees are package lines and whose 3,000 titles are its
title schedule (each title an amendment adds or removes is charged or credited on a line
of its own); and one priced title by title, every title a fee line of its own.

Each figure is the median of repeated runs in this process (the computation is pure: no
I/O), as each request that shows, invoices or renews a licence makes it.

    .venv/bin/python -m bench.subscription_schedule          (about ten seconds)
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from app.assembly.consolidation import SignedAmendment, consolidate
from app.assembly.schemas import AmendmentData, LicenceData
from app.assembly.subscription.contract import ZERO
from app.assembly.subscription.documents import amended_steps, as_amended, licence_contract
from app.assembly.subscription.history import AmendedPeriod, periods_as_amended
from app.assembly.subscription.invoices import contract_value, schedule
from bench.results import Goal, Report

TITLES = 3000
AMENDMENTS = 10
RUNS = 15
GOAL_MS = 50


def _issn(n: int) -> str:
    digits = f"{2000000 + n * 7919:07d}"[-7:]
    total = sum(int(d) * w for d, w in zip(digits, range(8, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    return f"{digits[:4]}-{digits[4:]}{'X' if check == 10 else check}"


def _title(n: int) -> dict[str, Any]:
    return {
        "title": f"Journal of Benchmark Studies {n}",
        "issn": _issn(n),
        "price": f"{900 + n % 700}.00",
    }


def licence(*, title_by_title: bool) -> tuple[LicenceData, list[dict[str, Any]]]:
    titles = [_title(n) for n in range(TITLES)]
    data = LicenceData.model_validate(
        {
            "account": {"name": "Bench University", "country": "NL"},
            "currency": "EUR",
            "term": {"start": "2027-01-01", "years": 3},
            "annual_uplift_percent": "3.5",
            "discount_percent": "4",
            "sites": [{"name": "Main library"}],
            "authorised_users": "students and staff",
            "lines": [{"description": "placeholder", "unit_price": "1.00", "quantity": 1}],
            "titles": titles,
        }
    )
    if not title_by_title:
        packages = [
            {"description": "Journal collection", "quantity": 1, "unit_price": "1250000.00"},
            {"description": "Platform fee", "quantity": 1, "unit_price": "18000.00"},
        ]
        return data, packages
    lines = [
        {
            "description": t["title"],
            "quantity": 1,
            "unit_price": t["price"],
            "discount_percent": "5" if n % 3 == 0 else "0",
            "tax_category": "e-publication",
        }
        for n, t in enumerate(titles)
    ]
    return data, lines


def amendments(data: LicenceData) -> list[tuple[str, AmendmentData]]:
    out = []
    for n in range(AMENDMENTS):
        effective = date(2027, 2, 1) + timedelta(days=70 * n)
        changes: dict[str, Any] = {
            "titles_added": [_title(TITLES + 20 * n + k) for k in range(20)],
            "titles_removed": [_title(20 * n + k) for k in range(20)],
        }
        if n == 3:
            changes["price_changes"] = [{"line": "line-2", "unit_price": "19500.00"}]
        if n == 5:
            changes["products_added"] = [{"description": "Text mining", "unit_price": "4000.00"}]
        if n == 7:
            changes["fees"] = [{"description": "Set-up", "unit_price": "750.00", "quantity": 1}]
        if n == AMENDMENTS - 1:
            changes["new_end_date"] = "2030-12-31"
        out.append(
            (
                f"A-{n + 1}",
                AmendmentData.model_validate(
                    {
                        "account": {"name": "Bench University", "country": "NL"},
                        "currency": "EUR",
                        "agreement": {"number": "L-1", "date": "2026-12-01"},
                        "effective_date": effective.isoformat(),
                        **changes,
                    }
                ),
            )
        )
    return out


def _median_ms(work: Callable[[], object]) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def rate(category: str, day: date) -> Decimal:
    return Decimal(9) if category == "e-publication" else Decimal(21)


def measure(report: Report, name: str, *, title_by_title: bool) -> float:
    data, lines = licence(title_by_title=title_by_title)
    signed = amendments(data)

    def model() -> Decimal:
        original = licence_contract(data, lines, day_count="actual/365")
        contract = as_amended(original, signed)
        consolidate(data, [SignedAmendment(n, d.effective_date, d, ZERO) for n, d in signed])
        return contract_value(schedule(contract, rate))

    contract = as_amended(licence_contract(data, lines, day_count="actual/365"), signed)
    invoices = schedule(contract, rate)
    priced = [(line.unit_price, line.quantity) for invoice in invoices for line in invoice.lines]

    def floor() -> Decimal:
        return sum((price * quantity for price, quantity in priced), ZERO)

    def view() -> list[AmendedPeriod]:
        original = licence_contract(data, lines, day_count="actual/365")
        return periods_as_amended(original, amended_steps(original, signed), rate)

    model_ms, floor_ms, view_ms = _median_ms(model), _median_ms(floor), _median_ms(view)
    report.print(
        f"{name}: {len(contract.lines):,} contract lines, {len(invoices)} invoice periods, "
        f"{len(priced):,} period lines; {model()} EUR net"
    )
    report.print(f"  plain Decimal sum (floor)   {floor_ms:8.2f} ms")
    report.print(f"  schedule and as-amended     {model_ms:8.2f} ms")
    report.print(f"  as amended, period by period {view_ms:7.2f} ms (what each amendment changed)")
    report.print(f"  schedule / floor: {model_ms / floor_ms:.1f}")
    report.print(f"  per period line: {1000 * model_ms / len(priced):.1f} µs")
    return model_ms


def main() -> None:
    report = Report("bench.subscription_schedule")
    report.print(f"{TITLES:,} titles, {AMENDMENTS} amendments, median of {RUNS} runs")
    usual = measure(report, "package fees, title schedule", title_by_title=False)
    measure(report, "every title a fee line", title_by_title=True)
    report.write(
        [
            Goal(
                f"package fees and 3,000 titles, 10 amendments: ≤ {GOAL_MS} ms",
                f"{usual:.1f} ms",
                usual <= GOAL_MS,
            ),
        ]
    )


if __name__ == "__main__":
    main()
