"""Every kind of document in every language it is offered in, read as a Dutch or Chinese
customer reads the PDF: no English label left in it (English wording is allowed only where
it is the document's data, a proper name, or the same word in both languages)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from apiflask import APIFlask

from app.config import PROJECT_ROOT
from app.documents.as_amended_files import as_amended_context, labels, render_as_amended_pdf
from app.documents.order_confirmation import LABELS, confirmation_context, render_confirmation
from app.documents.renders import render_sample
from app.library.template_packages import package_folders, read_template_package
from tests.documents.test_as_amended_files import _view as as_amended_view
from tests.support.document_terms import context_names, pdf_text

TEMPLATES = PROJECT_ROOT / "contract_templates"
PACKAGES = {folder.name: read_template_package(folder) for folder in package_folders(TEMPLATES)}
TRANSLATED = [
    (key, language)
    for key, package in PACKAGES.items()
    for language in package.languages
    if language != "en"
]


def _english_left(text: str, english: dict[str, str], own: dict[str, str]) -> list[str]:
    """The English labels (each fixed fragment around a {placeholder}) found in `text`,
    leaving out labels written the same in the document's own language."""
    found = []
    for key, value in english.items():
        if own.get(key) == value:
            continue
        for part in re.split(r"\{[^}]*\}", value):
            part = part.strip(" ()·:;,.–-")
            if len(re.sub(r"[^A-Za-z]", "", part)) < 4:
                continue
            words = r"\s+".join(re.escape(word) for word in part.split())
            if re.search(rf"(?<!\w){words}(?!\w)", text):
                found.append(f"{key}: {part!r}")
    return found


def _without_data(text: str, context: dict[str, Any], labels_key: str) -> str:
    names = context_names(context, skip=frozenset({"sections", labels_key}))
    for name in sorted({n.strip() for n in names if len(n.strip()) > 1}, key=len, reverse=True):
        text = re.sub(r"\s+".join(re.escape(word) for word in name.split()), " ", text)
    return text


def test_every_kind_is_offered_in_dutch_and_the_contracts_in_chinese() -> None:
    offered = {key: set(package.languages) for key, package in PACKAGES.items()}
    assert offered["quote"] >= {"en", "nl"}
    assert offered["title-list"] >= {"en", "nl", "zh"}
    assert offered["licence-agreement"] >= {"en", "nl", "zh"}
    assert offered["amendment"] >= {"en", "nl", "zh"}
    assert set(labels()) >= {"en", "nl", "zh"}  # the licence as amended
    assert set(LABELS) >= {"en", "nl"}  # the order confirmation of a quote


@pytest.mark.parametrize(
    ("key", "language"), TRANSLATED, ids=[f"{k}-{lang}" for k, lang in TRANSLATED]
)
def test_a_translated_document_has_every_label_and_no_english_one_left(
    app: APIFlask, key: str, language: str
) -> None:
    package = PACKAGES[key]
    assert set(package.labels[language]) == set(package.labels["en"])
    uow = app.extensions["contractdesk"].unit_of_work()
    with uow:
        assembled, files = render_sample(uow, package, language)
    text = _without_data(pdf_text(files["pdf"]), assembled.context, "label")
    assert _english_left(text, package.labels["en"], package.labels[language]) == []


def test_the_check_finds_an_english_label_in_a_dutch_page() -> None:
    licence = PACKAGES["licence-agreement"].labels
    page = "Licentieovereenkomst\nLicensed sites Utrecht\nTotal fees for the term € 10,00"
    assert sorted(_english_left(page, licence["en"], licence["nl"])) == [
        "site_schedule: 'Licensed sites'",
        "sites: 'Licensed sites'",
        "total: 'Total'",
        "total_fees: 'Total fees for the term'",
    ]


@pytest.mark.parametrize("language", ["nl", "zh"])
def test_the_licence_as_amended_reads_without_english_labels(language: str) -> None:
    assert set(labels()[language]) == set(labels()["en"])
    view = as_amended_view(language)
    today = date(2028, 7, 1)
    context = as_amended_context(view, today=today)
    text = _without_data(pdf_text(render_as_amended_pdf(view, today=today)), context, "label")
    assert _english_left(text, labels()["en"], labels()[language]) == []


def _signed_quote(tax_notes: list[str]) -> dict[str, Any]:
    return {
        "number": "Q-2027-000042",
        "customer": "Universiteitsbibliotheek Voorbeeldstad",
        "currency": "EUR",
        "po_number": "PO-88-2027",
        "totals": {
            "lines": [
                {"description": "Journal of Sample Studies", "quantity": 1, "amount": "1250.00"}
            ],
            "discount": "0",
            "bands": [{"rate_percent": "0", "net": "1250.00", "tax": "0.00"}],
            "tax_rate_percent": "0",
            "tax": "0.00",
            "total": "1250.00",
            "tax_notes": tax_notes,
        },
    }


def test_a_dutch_order_confirmation_carries_the_reverse_charge_note_in_dutch() -> None:
    assert set(LABELS["nl"]) == set(LABELS["en"])
    context = confirmation_context(
        _signed_quote(["tax_note_reverse_charge"]),
        language="nl",
        signed=date(2026, 12, 6),
        contact=("Sam Seller", "sam@example.com"),
        seller="Test Publisher",
    )
    text = pdf_text(render_confirmation(context))
    flat = "".join(text.split())
    assert "".join(LABELS["nl"]["tax_note_reverse_charge"].split()) in flat
    assert "artikel196vanRichtlijn2006/112/EG" in flat
    assert _english_left(_without_data(text, context, "t"), LABELS["en"], LABELS["nl"]) == []


def test_an_order_confirmation_without_a_tax_treatment_note_prints_none() -> None:
    context = confirmation_context(
        _signed_quote([]),
        language="en",
        signed=date(2026, 12, 6),
        contact=("Sam Seller", "sam@example.com"),
        seller="Test Publisher",
    )
    assert "Reverse charge" not in pdf_text(render_confirmation(context))
