"""A PDF/A's file identifier (/ID), which we add after WeasyPrint has written the file
(see app.rendering.pdf.with_identifier): the MD5 of the file without it, the same on
every render, and the file still reads strictly, every object at its offset."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import UTC, datetime
from pathlib import Path

from pypdf import PdfReader

from app.rendering.pdf import Archival, render_own_pdf
from tests.support.pdfa import assert_pdfa

_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Identified</title>
</head><body><h1>Schedule</h1><p>A paragraph.</p><ul><li>one</li><li>two</li></ul>
<table><thead><tr><th>Title</th><th>Price</th></tr></thead>
<tbody><tr><td>Journal A</td><td>900.00</td></tr><tr><td>Journal B</td><td>901.00</td></tr>
</tbody></table></body></html>"""


def _render(folder: Path) -> bytes:
    (folder / "page.html").write_text(_PAGE, encoding="utf-8")
    archival = Archival(made_at=datetime(2026, 12, 7, tzinfo=UTC), data=b'{"n": 1}')
    return render_own_pdf(folder, "page.html", {}, archival=archival)


def test_the_identifier_is_the_files_md5_and_the_same_on_every_render(tmp_path: Path) -> None:
    pdf = _render(tmp_path)
    assert _render(tmp_path) == pdf

    reader = assert_pdfa(pdf, conformance="A")
    first, second = reader.trailer["/ID"]
    written = re.sub(rb"/ID \[<[0-9A-F]{32}> <[0-9A-F]{32}>\]", b"", pdf, count=1)
    assert bytes(first) == bytes(second) == hashlib.md5(written).digest()


def test_the_identified_file_reads_strictly_with_its_tags(tmp_path: Path) -> None:
    pdf = _render(tmp_path)
    reader = PdfReader(io.BytesIO(pdf), strict=True)
    root = reader.trailer["/Root"]
    tree = root["/StructTreeRoot"].get_object()
    document = tree["/K"][0].get_object()
    kinds = {kid.get_object()["/S"] for kid in document["/K"]}
    assert {"/H1", "/P", "/L", "/Table"} <= kinds
    assert "Journal B" in reader.pages[0].extract_text()
