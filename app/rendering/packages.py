"""Office packages (DOCX, XLSX) dated by a stored version instead of the moment they were
written: python-docx and openpyxl stamp each zip entry, and openpyxl the core properties'
modified date, with now, so a version would never render again byte for byte."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime

_CORE = "docProps/core.xml"
_CORE_DATES = re.compile(rb"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:\2>)")


def dated_package(package: bytes, made_at: datetime) -> bytes:
    """The package with its core properties' created and modified dates and every entry's
    time set to `made_at` (zip keeps even seconds), in the same order and compression."""
    stamp = made_at.astimezone(UTC).replace(microsecond=0, tzinfo=None)
    w3c = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(package)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename == _CORE:
                data = _CORE_DATES.sub(lambda m: m.group(1) + w3c + m.group(3), data)
            dated = zipfile.ZipInfo(entry.filename, date_time=stamp.timetuple()[:6])
            dated.compress_type = entry.compress_type
            dated.external_attr = entry.external_attr
            target.writestr(dated, data)
    return out.getvalue()
