"""The licence as amended, as a PDF: the service's own layout, not a template package."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from babel.numbers import format_currency
from jinja2 import Environment, FileSystemLoader, select_autoescape
from weasyprint import HTML

_TEMPLATES = Path(__file__).parent / "templates"


def render_as_amended_pdf(view: dict[str, Any], *, today: date) -> bytes:
    currency = view["licence"]["currency"]
    env = Environment(loader=FileSystemLoader(_TEMPLATES), autoescape=select_autoescape(["html"]))
    env.filters["money"] = lambda amount: format_currency(Decimal(amount), currency, locale="en_GB")
    html = env.get_template("as_amended.html").render(v=view, today=today.isoformat())
    pdf = HTML(string=html).write_pdf()
    assert pdf is not None
    return pdf
