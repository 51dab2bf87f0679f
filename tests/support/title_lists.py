"""A title list's template context, assembled as the app assembles one but without a
database: for the renderer's tests and benchmarks, which bring their own titles."""

from __future__ import annotations

from datetime import date
from typing import Any

from app.assembly.clauses import ClauseText
from app.assembly.document import DocumentInput, Party
from app.assembly.schemas import TitleIn, TitleListData
from app.assembly.tax import REVERSE_CHARGE, TaxRules
from app.assembly.title_list import assemble_title_list
from app.config import PROJECT_ROOT
from app.library.clause_files import read_clause_file
from app.library.template_packages import TemplatePackage, read_template_package

SELLER = Party(name="Northfield Academic Press", address="1 Press Lane\nOxford")


def title_list_package() -> TemplatePackage:
    return read_template_package(PROJECT_ROOT / "contract_templates" / "title-list")


def title_list_context(
    titles: list[dict[str, str]],
    *,
    customer: str,
    number: str,
    language: str = "en",
    reference: str | None = None,
    year: int | None = None,
) -> dict[str, Any]:
    """The list of `titles` (title, issn, eissn, subject, price) for `customer`, with the
    shipped notes in `language`. Each title is validated; their number is not held to a
    document's limit, so that a benchmark can render a list longer than the API makes."""
    data = TitleListData.model_validate(
        {
            "account": {"name": customer, "country": "NL"},
            "currency": "EUR",
            "language": language,
            "reference": reference,
            "year": year,
            "titles": titles[:1],
        }
    ).model_copy(update={"titles": [TitleIn.model_validate(t) for t in titles]})
    notes = read_clause_file(PROJECT_ROOT / "clauses" / "title-list-notes.md")
    variant = next(v for v in notes.variants if v.variant.language == language)
    package = title_list_package()
    document = DocumentInput(
        kind=package.kind,
        number=number,
        issued_on=date(2027, 1, 4),
        seller=SELLER,
        customer=Party(name=customer, address="", country="NL"),
        data=data,
        lines=[],
        outline=package.outline,
        clauses={notes.key: ClauseText(notes.key, variant.title, 1, variant.sha256, variant.body)},
        labels=package.labels_for(language),
        jurisdiction="england-wales",
        tax=TaxRules(REVERSE_CHARGE),
    )
    return assemble_title_list(document).context
