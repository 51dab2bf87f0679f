"""A long title list laid out in parts carries the same page marks as a short document:
the identification and "Page N of M" on every page, and a draft's watermark once per page
(drawn with the page furniture, not again by each part)."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from app.rendering.long_grid_pdf import render_long_grid_pdf
from app.rendering.page_marks import PageMarks
from tests.support.title_lists import title_list_context, title_list_package

PACKAGE = title_list_package()


def test_a_long_draft_list_is_marked_once_on_every_page() -> None:
    titles = [
        {"title": f"Marked Journal {n:04d}", "subject": "Physics", "price": "100.00"}
        for n in range(1, 301)
    ]
    context = title_list_context(titles, customer="Marks Consortium", number="T-2027-000077")
    marks = PageMarks("T-2027-000077", 2, "0123456789abcdef" * 4, "en", draft=True)
    pdf = render_long_grid_pdf(PACKAGE.path, PACKAGE.html, context, marks)
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    assert len(pages) >= 5
    seen = set()
    for n, text in enumerate(pages, start=1):
        assert "T-2027-000077 · v2 · 01234567" in text, n
        assert f"Page {n} of {len(pages)}" in text, n
        assert text.count("DRAFT") == 2, (n, text.count("DRAFT"))  # watermark and head
        seen.update(re.findall(r"Marked Journal (\d{4})", text))
    assert len(seen) == 300
