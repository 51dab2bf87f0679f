"""The signing use cases by name, for the callers that want all of them (the API).

Each story has its module: `sending` (to whom, in what order, on what schedule),
`builtin_signing` (a signer's one-time link), `completion` (the signed copy, sealed, and
the invoices due) and `follow_up` (void, remind, DocuSign's embedded view).
"""

from __future__ import annotations

from app.signing.builtin_signing import (
    CONSENT_MISSING,
    LINK_EXPIRED,
    LINK_UNKNOWN,
    LINK_USED,
    NAME_MISSING,
    SigningView,
    UnsignedPdf,
    link_language,
    open_signing_link,
    record_opened,
    sign,
    unsigned_pdf_for_token,
    unsigned_pdf_ref,
)
from app.signing.completion import envelopes_to_seal, seal_waiting
from app.signing.follow_up import remind, signing_view, void
from app.signing.sending import (
    SENDER_ROLES,
    Schedule,
    SignerRequest,
    SigningLink,
    send_for_signature,
    send_here,
)

__all__ = [
    "CONSENT_MISSING",
    "LINK_EXPIRED",
    "LINK_UNKNOWN",
    "LINK_USED",
    "NAME_MISSING",
    "SENDER_ROLES",
    "Schedule",
    "SignerRequest",
    "SigningLink",
    "SigningView",
    "UnsignedPdf",
    "envelopes_to_seal",
    "link_language",
    "open_signing_link",
    "record_opened",
    "remind",
    "seal_waiting",
    "send_for_signature",
    "send_here",
    "sign",
    "signing_view",
    "unsigned_pdf_for_token",
    "unsigned_pdf_ref",
    "void",
]
