"""The order confirmation a customer receives once a quote is signed: what was ordered,
when it will be invoiced, their PO number and whom to ask. English or Dutch, as the
quote (a Chinese quote is confirmed in English)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.assembly.document import LOCALES, Formatter
from app.audit import services as audit
from app.billing.services import PAYMENT_DAYS
from app.documents.contracts import signed_on
from app.documents.files import store_file
from app.documents.models import SIGNED
from app.documents.records import get_document
from app.rendering.page_marks import PageMarks, version_digest
from app.rendering.pdf import render_own_pdf
from app.uow import UnitOfWork

CONFIRMATION = "confirmation"
_TEMPLATES = Path(__file__).parent / "templates"

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Order confirmation",
        "intro": "Thank you for your order. This confirms quote {quote}, signed on {date}.",
        "customer": "Customer",
        "quote": "Quote",
        "po_number": "Your purchase order",
        "none": "none given",
        "signed_on": "Signed on",
        "ordered": "What you ordered",
        "description": "Description",
        "qty": "Qty",
        "amount": "Amount",
        "discount": "Discount",
        "tax": "VAT",
        "tax_band": "VAT {rate} on {net}",
        "total": "Total",
        "billing": "Invoicing",
        "invoice_on": "Invoiced on",
        "due_on": "Due on",
        "questions": "Questions",
        "contact": "Please write to {name} at {email}, quoting your order.",
        "page": "Page",
        "tax_note_reverse_charge": "Reverse charge: no VAT is charged; the customer accounts "
        "for VAT under Article 196 of Council Directive 2006/112/EC.",
        "tax_note_outside_scope": "Outside the scope of VAT: no VAT is charged.",
        "tax_note_zero_rated": "Zero rate: the lines at 0 % are zero-rated supplies; no VAT "
        "is charged on them.",
        "tax_note_exempt": "Exempt from VAT: the lines at 0 % are exempt supplies; no VAT is "
        "charged on them.",
    },
    "nl": {
        "title": "Orderbevestiging",
        "intro": "Dank u voor uw bestelling. Hiermee bevestigen wij offerte {quote}, "
        "ondertekend op {date}.",
        "customer": "Klant",
        "quote": "Offerte",
        "po_number": "Uw inkoopordernummer",
        "none": "niet opgegeven",
        "signed_on": "Ondertekend op",
        "ordered": "Wat u hebt besteld",
        "description": "Omschrijving",
        "qty": "Aantal",
        "amount": "Bedrag",
        "discount": "Korting",
        "tax": "Btw",
        "tax_band": "Btw {rate} over {net}",
        "total": "Totaal",
        "billing": "Facturering",
        "invoice_on": "Gefactureerd op",
        "due_on": "Te betalen op",
        "questions": "Vragen",
        "contact": "Schrijf naar {name} via {email} en vermeld uw bestelling.",
        "page": "Pagina",
        "tax_note_reverse_charge": "Btw verlegd: er wordt geen btw in rekening gebracht; de "
        "afnemer voldoet de btw op grond van artikel 196 van Richtlijn 2006/112/EG.",
        "tax_note_outside_scope": "Buiten de reikwijdte van de btw: er wordt geen btw in "
        "rekening gebracht.",
        "tax_note_zero_rated": "Nultarief: de regels tegen 0 % vallen onder het nultarief; er "
        "wordt geen btw over berekend.",
        "tax_note_exempt": "Vrijgesteld van btw: de regels tegen 0 % zijn vrijgestelde "
        "prestaties; er wordt geen btw over berekend.",
    },
}


def _tax_rows(totals: dict[str, Any], fmt: Formatter, t: dict[str, str]) -> list[dict[str, str]]:
    """The tax of each rate; a quote made before tax by line kept one rate."""
    if not totals.get("bands"):
        rate = fmt.percent(Decimal(totals["tax_rate_percent"]))
        return [{"label": f"{t['tax']} ({rate})", "tax": fmt.money(Decimal(totals["tax"]))}]
    return [
        {
            "label": t["tax_band"]
            .replace("{rate}", fmt.percent(Decimal(band["rate_percent"])))
            .replace("{net}", fmt.money(Decimal(band["net"]))),
            "tax": fmt.money(Decimal(band["tax"])),
        }
        for band in totals["bands"]
    ]


def confirmation_context(
    quote: dict[str, Any], *, language: str, signed: date, contact: tuple[str, str], seller: str
) -> dict[str, Any]:
    """Pure: the quote's stored record and data, written for the customer."""
    language = language if language in LABELS else "en"
    totals = quote["totals"]
    fmt = Formatter(LOCALES[language], quote["currency"])
    return {
        "language": language,
        "t": LABELS[language],
        "seller": seller,
        "number": quote["number"],
        "quote_number": quote["number"],
        "customer": quote["customer"],
        "po_number": quote["po_number"],
        "signed_on": fmt.date(signed),
        "lines": [
            {
                "description": line["description"],
                "quantity": fmt.number(line["quantity"]),
                "amount": fmt.money(Decimal(line["amount"])),
            }
            for line in totals["lines"]
        ],
        "discount": fmt.money(Decimal(totals["discount"])) if Decimal(totals["discount"]) else "",
        "taxes": _tax_rows(totals, fmt, LABELS[language]),
        # The legal notes the quote carried (reverse charge, exemption), in this language.
        "tax_notes": [
            LABELS[language][key] for key in totals.get("tax_notes", []) if key in LABELS[language]
        ],
        "total": fmt.money(Decimal(totals["total"])),
        "billing": [
            {
                "invoice_on": fmt.date(signed),
                "due_on": fmt.date(signed + timedelta(days=PAYMENT_DAYS)),
                "amount": fmt.money(Decimal(totals["total"])),
            }
        ],
        "contact_name": contact[0],
        "contact_email": contact[1],
    }


def render_confirmation(context: dict[str, Any], *, version: int = 1) -> bytes:
    """The confirmation's PDF; its pages carry the quote's number, the version confirmed
    and a fingerprint of what the confirmation says."""
    marks = PageMarks(
        reference=context["number"],
        version=version,
        digest=version_digest({"confirmation": context, "version": version}),
        language=context["language"],
        draft=False,
    )
    return render_own_pdf(_TEMPLATES, "order_confirmation.html", context, marks=marks)


def confirm_order(uow: UnitOfWork, document_id: uuid.UUID) -> bool:
    """Make and store the confirmation of a signed quote, once; False when there is
    nothing to do (not a signed quote, or confirmed already)."""
    with uow:
        document = get_document(uow.session, document_id)
        if document.kind != "quote" or document.status != SIGNED:
            return False
        if document.file(CONFIRMATION) is not None:
            return False
        context = confirmation_context(
            {
                "number": document.number,
                "customer": document.customer["name"],
                "currency": document.currency,
                "po_number": document.data.get("po_number"),
                "totals": document.totals,
            },
            language=document.data.get("language", "en"),
            signed=signed_on(uow.session, document),
            contact=(document.created_by.name, document.created_by.email),
            seller=uow.settings.seller_name,
        )
        stored = store_file(
            uow,
            document,
            kind=CONFIRMATION,
            version=document.current_version,
            data=render_confirmation(context, version=document.current_version),
        )
        audit.record_event(
            uow.session,
            tag="document.order_confirmed",
            subject=document,
            actor=None,
            actor_label="order confirmation",
            data={"sha256": stored.sha256, "language": context["language"]},
        )
        uow.commit()
        return True
