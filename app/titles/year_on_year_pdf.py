"""The year-on-year comparison of a licence's title lists, as a PDF for the customer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.rendering.pdf import render_own_pdf

_TEMPLATES = Path(__file__).parent / "templates"


def render_year_on_year_pdf(view: dict[str, Any]) -> bytes:
    return render_own_pdf(_TEMPLATES, "year_on_year.html", {"v": view})
