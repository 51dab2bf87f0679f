"""Build the shipped DOCX templates (docxtpl syntax) from code, so that they stay in step
with the HTML templates. Legal may edit the results in Word; run this again only to start
over from the shipped layout:

    .venv/bin/python scripts/build_docx_templates.py
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_BREAK
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "contract_templates"
OWN_TEMPLATES = ROOT / "app" / "documents" / "templates"
NAVY = RGBColor(0x17, 0x36, 0x5D)


def new_document() -> DocxDocument:
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(20))
    normal = document.styles["Normal"]
    normal.font.name = "DejaVu Serif"
    normal.font.size = Pt(10)
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3"):
        document.styles[name].font.color.rgb = NAVY
        document.styles[name].font.name = "DejaVu Sans"
    footer = section.footer.paragraphs[0]
    footer.text = "{{ doc.title }} {{ doc.number }} · {{ seller.name }}"
    footer.runs[0].font.size = Pt(8)
    return document


def tag(document: DocxDocument, text: str) -> None:
    """A docxtpl paragraph tag ({%p ... %}), alone in its paragraph."""
    document.add_paragraph(text)


def table(document: DocxDocument, headers: list[str], cells: list[str], loop: str) -> Table:
    """A table with a header row and one templated row repeated by `{%tr for ... %}`."""
    grid = document.add_table(rows=4, cols=len(headers))
    grid.style = "Light Grid Accent 1"
    for cell, text in zip(grid.rows[0].cells, headers, strict=True):
        cell.text = text
    grid.rows[1].cells[0].text = f"{{%tr for {loop} %}}"
    for cell, text in zip(grid.rows[2].cells, cells, strict=True):
        cell.text = text
    grid.rows[3].cells[0].text = "{%tr endfor %}"
    return grid


def numbered_clauses(document: DocxDocument) -> None:
    """The outline's sections and clauses, numbered as in the PDF, one paragraph each."""
    tag(document, "{%p for section in sections %}")
    tag(document, "{%p if section.heading %}")
    document.add_heading("{{ section.number }}. {{ section.heading }}", level=2)
    tag(document, "{%p endif %}")
    tag(document, "{%p for clause in section.clauses %}")
    document.add_heading("{{ clause.number }} {{ clause.title }}", level=3)
    tag(document, "{%p for para in clause.paragraphs %}")
    document.add_paragraph("{{ para }}")
    tag(document, "{%p endfor %}")
    tag(document, "{%p endfor %}")
    tag(document, "{%p endfor %}")


def signature_blocks(document: DocxDocument, parties: list[str]) -> None:
    document.add_heading("{{ label.signatures }}", level=2)
    blocks = document.add_table(rows=4, cols=len(parties))
    for column, party in enumerate(parties):
        blocks.cell(0, column).text = f"{{{{ label.signed_for }}}} {party}"
        blocks.cell(1, column).text = "{{ label.name }}: ____________________________"
        blocks.cell(2, column).text = "{{ label.signature }}: ________________________"
        blocks.cell(3, column).text = "{{ label.date }}: ____________________________"


def tax_notes(document: DocxDocument) -> None:
    """The legal notes the lines' tax treatments call for (reverse charge, zero rate...)."""
    tag(document, "{%p for note in totals.tax_notes %}")
    document.add_paragraph("{{ note }}")
    tag(document, "{%p endfor %}")


def tax_bands(document: DocxDocument, totals: str) -> None:
    """One paragraph per tax rate: "VAT 9 % on €900.00: €81.00"."""
    tag(document, f"{{%p for band in {totals}.bands %}}")
    document.add_paragraph("{{ band.label }}: {{ band.tax }}")
    tag(document, "{%p endfor %}")


def page_break(document: DocxDocument) -> None:
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def title_rows(document: DocxDocument, loop: str = "title in titles") -> None:
    table(
        document,
        [
            "{{ label.line_no }}",
            "{{ label.col_title }}",
            "{{ label.issn }}",
            "{{ label.eissn }}",
            "{{ label.subject }}",
            "{{ label.price }}",
        ],
        [
            "{{ title.n }}",
            "{{ title.title }}",
            "{{ title.issn }}",
            "{{ title.eissn }}",
            "{{ title.subject }}",
            "{{ title.price }}",
        ],
        loop,
    )


def fee_rows(document: DocxDocument, loop: str, *, charged: bool = False) -> None:
    """The fee lines; `charged`: with the days a line is charged, where it is charged for
    part of the period."""
    description = "{{ line.description }}"
    if charged:
        description += "{% if line.charged %} ({{ label.charged }} {{ line.charged }}){% endif %}"
    table(
        document,
        [
            "{{ label.line_no }}",
            "{{ label.description }}",
            "{{ label.qty }}",
            "{{ label.unit_price }}",
            "{{ label.discount }}",
            "{{ label.tax }}",
            "{{ label.amount }}",
        ],
        [
            "{{ line.n }}",
            description,
            "{{ line.quantity }}",
            "{{ line.unit_price }}",
            "{{ line.discount_percent }}",
            "{{ line.tax_rate_percent }}",
            "{{ line.amount }}",
        ],
        loop,
    )


def heading_block(document: DocxDocument) -> None:
    document.add_paragraph("{{ seller.name }}")
    document.add_heading("{{ doc.title }}", level=1)
    document.add_paragraph("{{ label.number }}: {{ doc.number }}")
    document.add_paragraph("{{ label.date }}: {{ doc.issued_on }}")


def licence() -> DocxDocument:
    document = new_document()
    heading_block(document)
    document.add_paragraph("{{ label.subtitle }}")
    document.add_paragraph("{{ label.between }}")
    document.add_paragraph(
        "{{ seller.name }}, {{ seller.address_lines|join(', ') }} {{ label.publisher_role }}"
    )
    document.add_paragraph(
        "{{ customer.name }}, {{ customer.address_lines|join(', ') }}"
        "{% if customer.country %}, {{ customer.country }}{% endif %} {{ label.licensee_role }}"
    )
    document.add_heading("{{ label.particulars }}", level=2)
    facts = document.add_table(rows=7, cols=2)
    for row, (name, value) in enumerate(
        [
            ("{{ label.licensee }}", "{{ customer.name }}"),
            (
                "{{ label.term }}",
                "{{ label.term_value|replace('{start}', term.start)"
                "|replace('{end}', term.end)|replace('{years}', term.years) }}",
            ),
            ("{{ label.authorised_users }}", "{{ licence.authorised_users }}"),
            ("{{ label.sites }}", "{{ licence.sites|map(attribute='name')|join('; ') }}"),
            (
                "{{ label.perpetual_access }}",
                "{{ label.included if licence.perpetual_access else label.not_included }}",
            ),
            ("{{ label.invoicing }}", "{{ invoicing }}"),
            ("{{ label.total_fees }}", "{{ totals.net }} {{ label.excl_tax }}"),
        ]
    ):
        facts.cell(row, 0).text, facts.cell(row, 1).text = name, value
    document.add_heading("{{ label.agreed_terms }}", level=2)
    numbered_clauses(document)
    signature_blocks(document, ["{{ customer.name }}", "{{ seller.name }}"])
    page_break(document)
    document.add_heading("{{ label.schedule }} 1 · {{ label.fees }}", level=2)
    document.add_paragraph("{{ label.fees_intro|replace('{uplift}', licence.uplift_percent) }}")
    tag(document, "{%p for year in years %}")
    document.add_heading(
        "{{ label.period_heading|replace('{number}', year.year)|replace('{start}', year.starts)"
        "|replace('{end}', year.ends)|replace('{invoice_on}', year.invoice_on) }}",
        3,
    )
    fee_rows(document, "line in year.lines", charged=True)
    document.add_paragraph("{{ label.net }}: {{ year.totals.net }}")
    tax_bands(document, "year.totals")
    document.add_paragraph("{{ label.total_with_tax }}: {{ year.totals.total }}")
    tag(document, "{%p endfor %}")
    document.add_paragraph("{{ label.total_fees }}: {{ totals.net }}")
    tax_bands(document, "totals")
    document.add_paragraph("{{ label.total_with_tax }}: {{ totals.total }}")
    tax_notes(document)
    page_break(document)
    document.add_heading("{{ label.schedule }} 2 · {{ label.titles }}", level=2)
    tag(document, "{%p if titles %}")
    document.add_paragraph("{{ label.titles_intro }}")
    title_rows(document)
    tag(document, "{%p else %}")
    document.add_paragraph("{{ label.no_titles }}")
    tag(document, "{%p endif %}")
    page_break(document)
    document.add_heading("{{ label.schedule }} 3 · {{ label.site_schedule }}", level=2)
    table(
        document,
        ["{{ label.line_no }}", "{{ label.sites }}", "{{ label.address }}"],
        ["{{ loop.index }}", "{{ site.name }}", "{{ site.address }}"],
        "site in licence.sites",
    )
    return document


def parties(document: DocxDocument) -> None:
    document.add_paragraph("{{ label.between }}")
    document.add_paragraph(
        "{{ seller.name }}, {{ seller.address_lines|join(', ') }} {{ label.publisher_role }}"
    )
    document.add_paragraph(
        "{{ customer.name }}, {{ customer.address_lines|join(', ') }}"
        "{% if customer.country %}, {{ customer.country }}{% endif %} {{ label.licensee_role }}"
    )


def amendment() -> DocxDocument:
    document = new_document()
    heading_block(document)
    document.add_paragraph("{{ label.subtitle }} {{ agreement.number }}")
    document.add_paragraph(
        "{{ label.agreement }}: {{ label.agreement_value|replace('{number}', agreement.number)"
        "|replace('{date}', agreement.date) }}"
    )
    tag(document, "{%p if agreement.earlier_amendments %}")
    document.add_paragraph("{{ label.earlier }}: {{ agreement.earlier_amendments|join(', ') }}")
    tag(document, "{%p endif %}")
    document.add_paragraph("{{ label.effective }}: {{ amendment.effective_date }}")
    parties(document)
    document.add_heading("{{ label.changes }}", level=2)
    for key in ("titles_added", "titles_removed"):
        tag(document, f"{{%p if amendment.{key} %}}")
        document.add_heading(f"{{{{ label.{key} }}}}", level=3)
        title_rows(document, f"title in amendment.{key}")
        tag(document, "{%p endif %}")
    tag(document, "{%p if lines %}")
    document.add_heading("{{ label.fee_changes }}", level=3)
    fee_rows(document, "line in lines")
    document.add_paragraph("{{ label.net }}: {{ totals.net }}")
    tax_bands(document, "totals")
    document.add_paragraph("{{ label.total }}: {{ totals.total }}")
    tax_notes(document)
    tag(document, "{%p endif %}")
    tag(document, "{%p if amendment.new_end_date %}")
    document.add_heading("{{ label.new_end_date }}", level=3)
    document.add_paragraph("{{ label.term_extended|replace('{date}', amendment.new_end_date) }}")
    tag(document, "{%p endif %}")
    document.add_heading("{{ label.terms }}", level=2)
    numbered_clauses(document)
    signature_blocks(document, ["{{ customer.name }}", "{{ seller.name }}"])
    return document


def title_list() -> DocxDocument:
    document = new_document()
    heading_block(document)
    document.add_paragraph("{{ label.prepared_for }}: {{ customer.name }}")
    tag(document, "{%p if list.reference %}")
    document.add_paragraph("{{ label.reference }}: {{ list.reference }}")
    tag(document, "{%p endif %}")
    document.add_paragraph("{{ label.count }}: {{ list.count }}")
    document.add_paragraph("{{ label.currency }}: {{ doc.currency }}")
    title_rows(document)
    document.add_heading("{{ label.notes }}", level=2)
    numbered_clauses(document)
    return document


def as_amended() -> DocxDocument:
    """The service's own licence as amended (app/documents/as_amended_files.py): its
    context is written out already, labels included."""
    document = new_document()
    footer = document.sections[0].footer.paragraphs[0]
    footer.text = "{{ footer }}"
    footer.runs[0].font.size = Pt(8)
    document.add_heading("{{ title }}", level=1)
    document.add_paragraph("{{ lead }}")
    facts = document.add_table(rows=5, cols=2)
    for row, (name, value) in enumerate(
        [
            ("{{ label.signed_on }}", "{{ signed_on }}"),
            ("{{ label.term }}", "{{ term }}"),
            ("{{ label.amendments_in_force }}", "{{ in_force }}"),
            ("{{ label.invoicing }}", "{{ invoicing }}"),
            ("{{ label.contract_value }}", "{{ contract_value }} ({{ value_as_signed }})"),
        ]
    ):
        facts.cell(row, 0).text, facts.cell(row, 1).text = name, value
    document.add_heading("{{ label.periods }}", level=2)
    document.add_paragraph("{{ label.periods_intro }}")
    tag(document, "{%p for period in periods %}")
    document.add_heading("{{ period.heading }}", level=3)
    table(
        document,
        [
            "{{ label.line_no }}",
            "{{ label.description }}",
            "{{ label.source }}",
            "{{ label.qty }}",
            "{{ label.unit_price }}",
            "{{ label.discount }}",
            "{{ label.amount }}",
        ],
        [
            "{{ line.n }}",
            "{{ line.description }}{% if line.charged %} ({{ line.charged }}){% endif %}",
            "{{ line.source }}",
            "{{ line.quantity }}",
            "{{ line.unit_price }}",
            "{{ line.discount }}",
            "{{ line.amount }}",
        ],
        "line in period.lines",
    )
    document.add_paragraph("{{ label.net }}: {{ period.net }}")
    tag(document, "{%p for band in period.taxes %}")
    document.add_paragraph("{{ label.tax }} ({{ band.rate }}): {{ band.tax }}")
    tag(document, "{%p endfor %}")
    document.add_paragraph("{{ label.total }}: {{ period.total }}")
    document.add_paragraph("{{ label.as_signed }}: {{ period.original }}")
    tag(document, "{%p for change in period.changes %}")
    document.add_paragraph("{{ change.label }}: {{ change.net }}")
    tag(document, "{%p endfor %}")
    tag(document, "{%p endfor %}")
    tag(document, "{%p if amendments %}")
    document.add_heading("{{ label.amendments }}", level=2)
    table(
        document,
        [
            "{{ label.amendment }}",
            "{{ label.signed }}",
            "{{ label.effective_date }}",
            "{{ label.titles_added }}",
            "{{ label.titles_removed }}",
            "{{ label.products_added }}",
            "{{ label.term_to }}",
            "{{ label.net }}",
        ],
        [
            "{{ a.number }}",
            "{{ a.signed_on }}",
            "{{ a.effective_date }}",
            "{{ a.titles_added }}",
            "{{ a.titles_removed }}",
            "{{ a.products_added }}",
            "{{ a.new_end_date }}",
            "{{ a.net }}",
        ],
        "a in amendments",
    )
    tag(document, "{%p endif %}")
    document.add_heading("{{ titles_heading }}", level=2)
    document.add_paragraph("{{ titles_source }}")
    table(
        document,
        [
            "{{ label.col_title }}",
            "{{ label.issn }}",
            "{{ label.eissn }}",
            "{{ label.subject }}",
            "{{ label.price }}",
        ],
        [
            "{{ t.title }}{% if t.added_by %} ({{ t.added_by }}){% endif %}",
            "{{ t.issn }}",
            "{{ t.eissn }}",
            "{{ t.subject }}",
            "{{ t.price }}",
        ],
        "t in titles",
    )
    tag(document, "{%p if titles_removed %}")
    document.add_heading("{{ label.titles_removed }}", level=2)
    table(
        document,
        ["{{ label.col_title }}", "{{ label.issn }}", "{{ label.removed_by }}"],
        ["{{ t.title }}", "{{ t.issn }}", "{{ t.removed_by }}"],
        "t in titles_removed",
    )
    tag(document, "{%p endif %}")
    return document


def main() -> None:
    for path, build in (
        (TEMPLATES / "licence-agreement" / "licence.docx", licence),
        (TEMPLATES / "amendment" / "amendment.docx", amendment),
        (TEMPLATES / "title-list" / "title-list.docx", title_list),
        (OWN_TEMPLATES / "as_amended.docx", as_amended),
    ):
        build().save(str(path))
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
