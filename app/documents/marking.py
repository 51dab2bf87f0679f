"""The marks on the pages of a stored document version (see app/rendering/page_marks): its
number, version and fingerprint, and DRAFT while it waits for approval.

A version counts as not approved while the document is pending approval or was rejected:
a document the approval matrix asks nothing of (a draft with no required approval) needs
no approval and is rendered without the mark, and so is every version rendered once the
document is approved. When the last required approval is given, the document is rendered
again as a new version without the mark (regenerating.render_approved_copy): that version is
what is sent for signature, so the signer never sees the word DRAFT; the marked versions
stay stored as they were.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy.orm import Session

from app.audit import services as audit
from app.config import Settings
from app.documents.models import PENDING_APPROVAL, REJECTED, Document
from app.rendering.page_marks import PageMarks, version_digest

UNAPPROVED = frozenset({PENDING_APPROVAL, REJECTED})


def seller_record(settings: Settings) -> dict[str, str]:
    """The seller's legal entity as configured (part of every version's pinned inputs)."""
    return {
        "name": settings.seller_name,
        "address": settings.seller_address,
        "country": settings.seller_country,
        "company_number": settings.seller_company_number,
        "vat_number": settings.seller_vat_number,
    }


def pinned_inputs(document: Document, version: int, settings: Settings) -> dict[str, Any]:
    """What a version is made of, as hashed for its fingerprint: the number and version,
    the template version (its number and the SHA-256 of its package), the clause versions
    in order (key, version, SHA-256 of the text), the data as stored (with the defaults
    applied), the customer record and the seller's configured entity."""
    template = document.template_version
    return {
        "reference": document.number,
        "version": version,
        "template": {
            "key": template.template.key,
            "version": template.version,
            "sha256": template.sha256,
        },
        "clauses": [
            {
                "key": pinned.clause_version.clause.key,
                "version": pinned.clause_version.version,
                "sha256": pinned.clause_version.sha256,
            }
            for pinned in document.clauses
        ],
        "data": document.data,
        "customer": document.customer,
        "seller": seller_record(settings),
    }


def version_marks(document: Document, version: int, settings: Settings) -> PageMarks:
    """The marks for a version about to be rendered, with the document's status as it
    will be stored with that version."""
    return PageMarks(
        reference=document.number,
        version=version,
        digest=version_digest(pinned_inputs(document, version, settings)),
        language=str(document.data.get("language", "en")),
        draft=document.status in UNAPPROVED,
    )


def unstored_marks(reference: str, data: dict[str, Any], settings: Settings) -> PageMarks:
    """The marks of a PDF made but not stored (a preview, a template's sample): always DRAFT."""
    return PageMarks(
        reference=reference,
        version=1,
        digest=version_digest(
            {"reference": reference, "data": data, "seller": seller_record(settings)}
        ),
        language=str(data.get("language", "en")),
        draft=True,
    )


def marks_as_stored(
    session: Session, document: Document, version: int, settings: Settings
) -> PageMarks:
    """The marks a stored version was rendered with, to render it again the same: whether
    it was a draft is what the audit event that stored it recorded (the document's status
    has moved on since); a version stored before that was recorded counts as it would now."""
    marks = version_marks(document, version, settings)
    for event in audit.events_for(session, document):
        stored = event.data.get("version", 1 if event.tag == "document.created" else None)
        if stored == version and "draft" in event.data:
            return replace(marks, draft=bool(event.data["draft"]))
    return marks
