"""The PDF and the DOCX of one document say the same thing: the same clauses with the same
numbers and text, paragraph by paragraph, and the same figures."""

from __future__ import annotations

import io
import re

import pytest
from apiflask import APIFlask
from docx import Document as open_docx
from docx.table import Table
from pypdf import PdfReader

from app.config import PROJECT_ROOT
from app.documents.renders import render_sample
from app.library.template_packages import package_folders, read_template_package

CASES = [
    (folder, language)
    for folder in package_folders(PROJECT_ROOT / "contract_templates")
    for language in read_template_package(folder).languages
]
MONEY = re.compile(r"€[\d.,]+\d")
MARGIN = 15 * 72 / 25.4  # 15 mm: the running header and footer sit in the page margins


def _flat(text: str) -> str:
    """Text without white space or list bullets: line breaks and hyphen-free justification
    differ between a PDF's lines and a DOCX's paragraphs; the words may not."""
    return "".join(text.replace("•", "").split())


def docx_paragraphs(data: bytes) -> list[str]:
    """Every paragraph of the body in reading order, table cells included."""
    paragraphs: list[str] = []
    for block in open_docx(io.BytesIO(data)).iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                seen: set[int] = set()
                for cell in row.cells:
                    if id(cell._tc) not in seen:
                        seen.add(id(cell._tc))
                        paragraphs.extend(p.text for p in cell.paragraphs)
        else:
            paragraphs.append(block.text)
    return [p for p in paragraphs if p.strip()]


def pdf_text(data: bytes) -> str:
    """The text of every page without its running header and footer (the page margins) and
    its watermark, so that a paragraph continued on the next page reads on."""
    parts: list[str] = []
    for page in PdfReader(io.BytesIO(data)).pages:

        def keep_body(
            text: str,
            cm: list[float],
            tm: list[float],
            *_: object,
            top: float = float(page.mediabox.height) - MARGIN,
        ) -> None:
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            upright = not (cm[1] or tm[1])  # a sample's DRAFT watermark is set at an angle
            if MARGIN < y < top and upright:
                parts.append(text)

        page.extract_text(visitor_text=keep_body)
    return "".join(parts)


@pytest.mark.parametrize(
    ("folder", "language"), CASES, ids=[f"{f.name}-{lang}" for f, lang in CASES]
)
def test_the_pdf_and_the_docx_carry_the_same_clauses_numbers_and_figures(
    app: APIFlask, folder: object, language: str
) -> None:
    uow = app.extensions["contractdesk"].unit_of_work()
    with uow:
        assembled, files = render_sample(uow, read_template_package(folder), language)  # type: ignore[arg-type]
    pdf, docx = _flat(pdf_text(files["pdf"])), docx_paragraphs(files["docx"])
    flat_docx = _flat("\n".join(docx))

    clauses = [clause for section in assembled.sections for clause in section.clauses]
    assert clauses
    cursor_pdf = cursor_docx = 0
    for clause in clauses:
        # A heading is the number (a top-level one may end in a full stop), then the title.
        heading = re.escape(clause.number) + r"\.?" + re.escape(_flat(clause.title))
        for what, pattern in [
            (f"{clause.number} {clause.title}", heading),
            *((paragraph, re.escape(_flat(paragraph))) for paragraph in clause.paragraphs),
        ]:
            in_pdf = re.compile(pattern).search(pdf, cursor_pdf)
            in_docx = re.compile(pattern).search(flat_docx, cursor_docx)
            assert in_pdf, f"PDF lacks, or has out of order: {what!r}"
            assert in_docx, f"DOCX lacks, or has out of order: {what!r}"
            cursor_pdf, cursor_docx = in_pdf.end(), in_docx.end()

    assert sorted(set(MONEY.findall(pdf))) == sorted(set(MONEY.findall(flat_docx)))
