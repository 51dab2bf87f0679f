"""Jinja filters for the pages: money, percentages and dates as the page's language
writes them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from apiflask import APIFlask
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

from app.web.i18n import page_locale


def money(amount: str | Decimal, currency: str) -> str:
    return format_currency(Decimal(amount), currency, locale=page_locale())


def percent(value: str | Decimal) -> str:
    return format_decimal(Decimal(value), format="#,##0.##", locale=page_locale()) + " %"


def day(value: str | date | datetime | None) -> str:
    if not value:
        return ""
    when = date.fromisoformat(value) if isinstance(value, str) else value
    return format_date(when, format="medium", locale=page_locale())


def init_app(app: APIFlask) -> None:
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["percent"] = percent
    app.jinja_env.filters["day"] = day
