"""The VAT rate table: rates per country and tax category with their validity dates, kept by
finance; and the tax rules a document is made with, read from it.

The table is checked whole before anything is written: rows of one country and category
that overlap refuse it (422 naming the row), so that one rate stands for any day. Where the
table has no rate for a country on a day, the country's rate in `CONTRACTDESK_TAX_RATES`
stands for its standard category, so a deployment without a table keeps its rates."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.assembly.tax import (
    STANDARD_CATEGORY,
    TaxRate,
    TaxRules,
    decide_rules,
    overlapping,
)
from app.audit import services as audit
from app.catalogue.models import Product
from app.config import Settings
from app.errors import FieldError, Forbidden, InvalidInput
from app.tax.models import TaxRateRow
from app.tax.schemas import TaxRateIn
from app.uow import UnitOfWork
from app.uploads.delimited import UnreadableText, read_records
from app.uploads.limits import DEFAULT_LIMITS
from app.users.models import User
from app.validation import field_errors

RATE_ROLES = frozenset({"admin", "finance"})
CSV_COLUMNS = ("country", "category", "rate_percent", "valid_from", "valid_to", "name", "exempt")
MAX_ROWS = 10_000
MAX_CSV_BYTES = 2_000_000


@dataclass(frozen=True)
class RateTable:
    """The rate table as the audit log names it."""

    id: str = "tax-rates"


def list_rates(session: Session, country: str | None = None) -> list[TaxRate]:
    query = select(TaxRateRow).order_by(
        TaxRateRow.country, TaxRateRow.category, TaxRateRow.valid_from
    )
    if country:
        query = query.where(TaxRateRow.country == country.upper())
    return [row.as_rate() for row in session.scalars(query)]


def rules_for(
    session: Session, settings: Settings, *, customer_country: str, customer_vat_id: str | None
) -> TaxRules:
    """How the seller taxes this customer, with the rates of the customer's country."""
    return decide_rules(
        seller_country=settings.seller_country,
        customer_country=customer_country,
        customer_vat_id=customer_vat_id,
        rates=list_rates(session, customer_country),
        fallback=settings.vat_rates,
    )


def known_categories(session: Session) -> set[str]:
    """The tax categories products carry or the table has rates for, and `standard`."""
    return (
        {STANDARD_CATEGORY}
        | set(session.scalars(select(TaxRateRow.category).distinct()))
        | set(session.scalars(select(Product.tax_category).distinct()))
    )


def _describe(rate: TaxRate) -> str:
    until = f" to {rate.valid_to}" if rate.valid_to else ""
    return f"{rate.country} {rate.category} {rate.rate_percent} % from {rate.valid_from}{until}"


def _refuse_overlaps(rates: list[TaxRate], *, first_new: int = 0) -> None:
    """Refuse a table whose rows overlap, naming each offending row given (those from
    `first_new` on) and the row it overlaps."""
    errors = []
    for i, j in overlapping(rates):
        other = f"row {i - first_new}" if i >= first_new else "a rate in the table"
        errors.append(
            FieldError(
                f"/rates/{j - first_new}/valid_from",
                f"{_describe(rates[j])} overlaps {other} ({_describe(rates[i])})",
                "overlapping_rates",
            )
        )
    if errors:
        raise InvalidInput(
            "rates of one country and category overlap: one rate must stand for any day",
            errors,
        )


def _allowed(actor: User | None) -> None:
    if actor is not None and actor.role not in RATE_ROLES:
        raise Forbidden("only finance and admin users keep the tax rates")


def set_table(session: Session, rates: list[TaxRate]) -> None:
    """Make `rates` the table's rows (checked by the caller), in the caller's transaction."""
    session.execute(delete(TaxRateRow))
    session.add_all(
        TaxRateRow(
            country=r.country,
            category=r.category,
            rate_percent=r.rate_percent,
            valid_from=r.valid_from,
            valid_to=r.valid_to,
            name=r.name,
            exempt=r.exempt,
        )
        for r in rates
    )


def replace_rates(
    uow: UnitOfWork, rates: list[TaxRate], *, actor: User | None, actor_label: str | None = None
) -> list[TaxRate]:
    """Make `rates` the whole table (finance, admin; audited). Documents already made keep
    the rates they were made with."""
    _allowed(actor)
    _refuse_overlaps(rates)
    with uow:
        before = list_rates(uow.session)
        set_table(uow.session, rates)
        audit.record_event(
            uow.session,
            tag="tax_rates.replaced",
            subject=RateTable(),
            actor=actor,
            actor_label=actor_label,
            data={
                "before": [r.as_json() for r in before],
                "after": [r.as_json() for r in rates],
            },
        )
        uow.commit()
    return rates


def add_rates(
    uow: UnitOfWork, rates: list[TaxRate], *, actor: User | None, actor_label: str | None = None
) -> list[TaxRate]:
    """Add rows to the table (finance, admin; audited) and answer the table. A rate change:
    an added row without an end that starts after a standing row of its country and
    category ends that row the day before. Any other overlap refuses the whole request."""
    _allowed(actor)
    _refuse_overlaps(rates)
    with uow:
        table = list_rates(uow.session)
        for new in rates:
            table = [
                replace(old, valid_to=new.valid_from - timedelta(days=1))
                if new.valid_to is None
                and old.valid_to is None
                and (old.country, old.category) == (new.country, new.category)
                and old.valid_from < new.valid_from
                else old
                for old in table
            ]
        _refuse_overlaps([*table, *rates], first_new=len(table))
        set_table(uow.session, [*table, *rates])
        audit.record_event(
            uow.session,
            tag="tax_rates.added",
            subject=RateTable(),
            actor=actor,
            actor_label=actor_label,
            data={"added": [r.as_json() for r in rates]},
        )
        uow.commit()
        return list_rates(uow.session)


def rates_from(rows: list[dict[str, Any]]) -> list[TaxRate]:
    """Rows as given (the API's body or a CSV file's lines) checked one by one; every bad
    field is named, as `/rates/<row>/<field>`."""
    if len(rows) > MAX_ROWS:
        raise InvalidInput(
            f"a rate table has at most {MAX_ROWS} rows",
            [FieldError("/rates", f"{len(rows)} rows", "too_long")],
        )
    rates, errors = [], []
    for index, row in enumerate(rows):
        try:
            rates.append(TaxRateIn.model_validate(row).as_rate())
        except ValidationError as exc:
            errors.extend(field_errors(exc, {"rates": rows}, prefix=("rates", index)))
    if errors:
        raise InvalidInput("some rates are not right; see errors", errors)
    return rates


def read_csv(data: bytes) -> list[TaxRate]:
    """A rate table from a CSV file with the columns of `CSV_COLUMNS` (a header line first;
    `valid_to`, `name` and `exempt` may be empty or left out)."""
    if len(data) > MAX_CSV_BYTES:
        raise InvalidInput(
            f"a rate table file is at most {MAX_CSV_BYTES // 1_000_000} MB",
            [FieldError("/file", f"{len(data)} bytes", "too_large")],
        )
    try:
        records = [record for _, record in read_records(data, DEFAULT_LIMITS) if record]
    except UnreadableText as exc:
        raise InvalidInput(exc.detail, [FieldError("/file", exc.detail, "encoding")]) from exc
    columns = [c.strip() for c in (records[0] if records else [])]
    unknown = [c for c in columns if c not in CSV_COLUMNS]
    missing = [c for c in CSV_COLUMNS[:4] if c not in columns]
    if unknown or missing:
        raise InvalidInput(
            f"the columns are {', '.join(CSV_COLUMNS)}",
            [FieldError(f"/columns/{c}", "unknown column", "unknown_column") for c in unknown]
            + [FieldError(f"/columns/{c}", "missing column", "missing") for c in missing],
        )
    rows = [
        {key: value.strip() for key, value in zip(columns, record, strict=False) if value.strip()}
        for record in records[1:]
    ]
    return rates_from(rows)


def as_csv(rates: list[TaxRate]) -> str:
    """The table as `read_csv` reads it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in rates:
        writer.writerow(
            [
                r.country,
                r.category,
                r.rate_percent,
                r.valid_from.isoformat(),
                r.valid_to.isoformat() if r.valid_to else "",
                r.name,
                "true" if r.exempt else "",
            ]
        )
    return out.getvalue()
