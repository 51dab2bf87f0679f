"""Jinja filters for the pages: money and percentages as people read them."""

from __future__ import annotations

from decimal import Decimal

from apiflask import APIFlask
from babel.numbers import format_currency, format_decimal

PAGE_LOCALE = "en_GB"


def money(amount: str | Decimal, currency: str) -> str:
    return format_currency(Decimal(amount), currency, locale=PAGE_LOCALE)


def percent(value: str | Decimal) -> str:
    return format_decimal(Decimal(value), format="#,##0.##", locale=PAGE_LOCALE) + " %"


def init_app(app: APIFlask) -> None:
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["percent"] = percent
