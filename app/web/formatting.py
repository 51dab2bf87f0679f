"""Jinja filters for the pages: money, percentages and dates as the page's language
writes them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from apiflask import APIFlask
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

from app.web.i18n import page_locale


def money(amount: str | Decimal, currency: str) -> str:
    return format_currency(Decimal(amount), currency, locale=page_locale())


def percent(value: str | Decimal) -> str:
    return format_decimal(Decimal(value), format="#,##0.##", locale=page_locale()) + " %"


def discount_percent(totals: Mapping[str, Any]) -> Decimal:
    """The header discount as a percent of the subtotal: as given, or what an amount
    given instead comes to (as the documents print it)."""
    given = Decimal(totals.get("discount_percent") or 0)
    subtotal = Decimal(totals.get("subtotal") or 0)
    if given or not subtotal:
        return given
    return (Decimal(totals.get("discount") or 0) * 100 / subtotal).quantize(Decimal("0.01"))


def day(value: str | date | datetime | None) -> str:
    if not value:
        return ""
    when = date.fromisoformat(value) if isinstance(value, str) else value
    return format_date(when, format="medium", locale=page_locale())


def init_app(app: APIFlask) -> None:
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["percent"] = percent
    app.jinja_env.filters["day"] = day
    app.jinja_env.filters["discount_percent"] = discount_percent
