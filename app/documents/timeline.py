"""A document's way from creation to invoicing, as its page shows it: each step with when
it happened, or that it is still to come (or not needed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.audit.models import AuditEvent
from app.documents.models import Document
from app.signing.models import Signer

STEPS = ("created", "approved", "sent", "viewed", "signed", "invoiced")


@dataclass(frozen=True)
class Step:
    name: str
    at: datetime | None
    note: str = ""

    @property
    def done(self) -> bool:
        return self.at is not None


def timeline(
    document: Document,
    history: list[AuditEvent],
    signers: list[Signer],
    invoiced_at: datetime | None,
) -> list[Step]:
    def first(tag: str) -> datetime | None:
        return next((e.created_at for e in history if e.tag == tag), None)

    approved = first("document.approved") if document.approvals_required else None
    opened = [s.opened_at for s in signers if s.opened_at]
    return [
        Step("created", document.created_at),
        Step("approved", approved, "" if document.approvals_required else "not needed"),
        Step("sent", first("document.sent")),
        Step("viewed", min(opened) if opened else None),
        Step("signed", first("document.signed")),
        Step("invoiced", invoiced_at),
    ]
