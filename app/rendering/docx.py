"""DOCX template + context -> DOCX bytes, through docxtpl in the same sandbox as HTML."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate
from jinja2 import TemplateError

from app.assembly.sandbox import sandbox, template_problem


def render_docx(
    package_dir: Path, docx_file: str, context: dict[str, Any], made_at: datetime | None = None
) -> bytes:
    """The rendered DOCX; with `made_at` (a stored version's creation time) its core
    properties' created and modified dates and every zip entry's time are that time, so
    that the version renders again byte for byte (python-docx stamps entries with now)."""
    template = DocxTemplate(package_dir / docx_file)
    try:
        template.render(context, jinja_env=sandbox(autoescape=True))
    except TemplateError as exc:
        raise template_problem(exc, docx_file) from exc
    if made_at is not None:
        stamp = made_at.astimezone(UTC).replace(microsecond=0, tzinfo=None)
        properties = template.docx.core_properties
        properties.created = properties.modified = stamp
    out = io.BytesIO()
    template.save(out)
    return out.getvalue() if made_at is None else _entries_dated(out.getvalue(), stamp)


def _entries_dated(docx: bytes, stamp: datetime) -> bytes:
    """The package with every entry dated `stamp`, in the same order and compression."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(docx)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            dated = zipfile.ZipInfo(entry.filename, date_time=stamp.timetuple()[:6])
            dated.compress_type = entry.compress_type
            dated.external_attr = entry.external_attr
            target.writestr(dated, source.read(entry.filename))
    return out.getvalue()
