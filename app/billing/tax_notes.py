"""The legal note an invoice prints for its tax treatment, in the contract's language: an
ERP prints it as it comes, so the note travels with every invoice event. The wording is the
templates' own (`tax_note_*` labels), kept here because an event has no template."""

from __future__ import annotations

NOTES: dict[str, dict[str, str]] = {
    "reverse_charge": {
        "en": "Reverse charge: no VAT is charged; the customer accounts for VAT under "
        "Article 196 of Council Directive 2006/112/EC.",
        "nl": "Btw verlegd: er wordt geen btw in rekening gebracht; de afnemer voldoet de "
        "btw op grond van artikel 196 van Richtlijn 2006/112/EG.",
        "zh": "反向征收：本方不收取增值税，"
        "由客户根据欧盟理事会第2006/112/EC号指令第196条自行申报缴纳增值税。",
    },
    "outside_scope": {
        "en": "Outside the scope of VAT: no VAT is charged.",
        "nl": "Buiten de reikwijdte van de btw: er wordt geen btw in rekening gebracht.",
        "zh": "不属于增值税征收范围：不收取增值税。",
    },
}


def tax_note(treatment: str, language: str) -> str:
    """The note for a treatment (empty where none is required, as for domestic VAT)."""
    notes = NOTES.get(treatment, {})
    return notes.get(language) or notes.get("en", "")
