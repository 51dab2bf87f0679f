"""The licence as amended, as a PDF: the service's own layout, not a template package."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from babel.numbers import format_currency

from app.rendering.pdf import render_own_pdf

_TEMPLATES = Path(__file__).parent / "templates"


def render_as_amended_pdf(view: dict[str, Any], *, today: date) -> bytes:
    currency = view["licence"]["currency"]

    def money(amount: str | Decimal) -> str:
        return format_currency(Decimal(amount), currency, locale="en_GB")

    return render_own_pdf(
        _TEMPLATES,
        "as_amended.html",
        {"v": view, "today": today.isoformat()},
        filters={"money": money},
    )
