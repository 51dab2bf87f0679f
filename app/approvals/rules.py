"""What the matrix is asked about a document: its facts, the rate of its currency on its
date, and the approvals that follow. Dated rates are finance's to keep."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.approvals.models import ExchangeRate
from app.assembly.approval_matrix import ApprovalMatrix, Facts, Rate
from app.assembly.effective_discount import from_record
from app.assembly.subscription.periods import year_index
from app.audit import services as audit
from app.errors import Conflict, FieldError, Forbidden, InvalidInput
from app.uow import UnitOfWork
from app.users.models import User

RATE_KEEPERS = frozenset({"finance", "admin"})
_LARGEST_RATE = Decimal(10) ** 9
"""What the column holds (18 digits, 8 of them decimals), with room to spare."""


def _term_years(data: dict[str, Any]) -> int:
    """The years a document commits to: a licence's term; an extension's added years (a
    part year counting whole), so that extending a licence is judged like a deal for the
    years it adds; one for anything else."""
    ends_on = (data.get("agreement") or {}).get("term_ends_on")
    if data.get("new_end_date") and ends_on:
        first = date.fromisoformat(ends_on) + timedelta(days=1)
        return year_index(first, date.fromisoformat(data["new_end_date"])) + 1
    return int((data.get("term") or {}).get("years", 1))


def _largest_period(record: dict[str, Any], data: dict[str, Any]) -> Decimal | None:
    """An amendment's largest invoice period: what its lines charge in each period they
    name (an extension of three years is judged a year at a time under `annual`)."""
    starts = [line.get("period_start") for line in data.get("lines") or []]
    lines = record.get("lines") or []
    if not any(starts) or len(starts) != len(lines):
        return None
    by_period: dict[str, Decimal] = defaultdict(Decimal)
    for start, line in zip(starts, lines, strict=True):
        by_period[start or ""] += Decimal(line["amount"])
    return max(by_period.values())


def facts_of(record: dict[str, Any], data: dict[str, Any]) -> Facts:
    """The matrix's facts from a document's totals record and its data record."""
    discount = from_record(record)
    years = record.get("years") or []
    annual = max(
        (Decimal(y["subtotal"]) - Decimal(y["discount"]) for y in years),
        default=_largest_period(record, data),
    )
    net = Decimal(
        record.get("net")
        or Decimal(record.get("subtotal", "0")) - Decimal(record.get("discount", "0"))
    )
    positions = data.get("clause_positions") or {}
    return Facts(
        discount_percent=discount.percent,
        discount_line=discount.line,
        net_term=net,
        net_annual=annual if annual is not None else net,
        currency=str(record.get("currency") or data["currency"]),
        term_years=_term_years(data),
        non_standard=tuple(
            sorted(f"{key}: {pos}" for key, pos in positions.items() if pos != "preferred")
        ),
    )


def rate_on(session: Session, matrix: ApprovalMatrix, currency: str, on: date) -> Rate:
    """Finance's rate valid on the day, else the matrix file's; a currency with neither
    cannot be judged and is refused."""
    if currency == matrix.base_currency:
        return matrix.file_rate(currency)
    kept = session.scalar(
        select(ExchangeRate)
        .where(
            ExchangeRate.currency == currency,
            ExchangeRate.base_currency == matrix.base_currency,
            ExchangeRate.valid_from <= on,
        )
        .order_by(ExchangeRate.valid_from.desc())
        .limit(1)
    )
    if kept is not None:
        return Rate(kept.rate.normalize(), kept.valid_from, "finance")
    try:
        return matrix.file_rate(currency)
    except ValueError as exc:
        raise InvalidInput(str(exc), [FieldError("/data/currency", str(exc))]) from exc


def required(
    session: Session,
    matrix: ApprovalMatrix,
    record: dict[str, Any],
    data: dict[str, Any],
    on: date,
) -> list[dict[str, Any]]:
    facts = facts_of(record, data)
    rate = rate_on(session, matrix, facts.currency, on)
    return [rule.as_dict() for rule in matrix.required(facts, rate)]


def record_rate(
    uow: UnitOfWork,
    *,
    currency: str,
    rate: str,
    valid_from: date,
    actor: User,
) -> ExchangeRate:
    """Keep a dated rate of a currency in the matrix's base currency (finance only)."""
    matrix = uow.settings.approval_matrix
    if actor.role not in RATE_KEEPERS:
        raise Forbidden(f"a {actor.role} user cannot keep exchange rates; finance does")
    try:
        value = Decimal(rate)
    except InvalidOperation:
        value = Decimal(0)
    if not value.is_finite() or value <= 0 or value >= _LARGEST_RATE:
        detail = f"a rate is a positive number below {_LARGEST_RATE:,}"
        raise InvalidInput(detail, [FieldError("/rate", detail)])
    if currency == matrix.base_currency:
        detail = f"{currency} is the base currency"
        raise InvalidInput(detail, [FieldError("/currency", detail)])
    kept = ExchangeRate(
        id=uuid.uuid4(),
        currency=currency,
        base_currency=matrix.base_currency,
        rate=value,
        valid_from=valid_from,
        recorded_by_id=actor.id,
    )
    with uow:
        uow.session.add(kept)
        try:
            uow.session.flush()
        except IntegrityError as exc:
            raise Conflict(
                f"a {currency} rate from {valid_from} is already kept; record a later date"
            ) from exc
        audit.record_event(
            uow.session,
            tag="exchange_rate.recorded",
            subject=kept,
            actor=actor,
            data={"currency": currency, "rate": str(value), "valid_from": valid_from.isoformat()},
        )
        uow.commit()
        uow.session.refresh(kept)
        return kept


def rates(session: Session) -> list[ExchangeRate]:
    return list(
        session.scalars(
            select(ExchangeRate).order_by(ExchangeRate.currency, ExchangeRate.valid_from)
        )
    )
