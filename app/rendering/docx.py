"""DOCX template + context -> DOCX bytes, through docxtpl in the same sandbox as HTML."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate
from jinja2 import TemplateError

from app.assembly.sandbox import sandbox, template_problem
from app.rendering.packages import dated_package


def render_docx(
    package_dir: Path, docx_file: str, context: dict[str, Any], made_at: datetime | None = None
) -> bytes:
    """The rendered DOCX; with `made_at` (a stored version's creation time) dated by it, so
    that the version renders again byte for byte."""
    template = DocxTemplate(package_dir / docx_file)
    try:
        template.render(context, jinja_env=sandbox(autoescape=True))
    except TemplateError as exc:
        raise template_problem(exc, docx_file) from exc
    out = io.BytesIO()
    template.save(out)
    return out.getvalue() if made_at is None else dated_package(out.getvalue(), made_at)
