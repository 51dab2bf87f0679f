"""The year-on-year comparison of a licence's title lists, as a PDF for the customer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from weasyprint import HTML

_TEMPLATES = Path(__file__).parent / "templates"


def render_year_on_year_pdf(view: dict[str, Any]) -> bytes:
    env = Environment(loader=FileSystemLoader(_TEMPLATES), autoescape=select_autoescape(["html"]))
    pdf = HTML(string=env.get_template("year_on_year.html").render(v=view)).write_pdf()
    assert pdf is not None
    return pdf
