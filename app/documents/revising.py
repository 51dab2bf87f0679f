"""Revising a document: its data changed before it is sent, as a new version under the
same number and date; approvals that a material change voids are reset, with the reason."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from app.audit import services as audit
from app.db import utcnow
from app.documents.assembling import (
    assemble,
    customer_record,
    data_record,
    package_for_version,
    pin_clauses,
    required_approvals,
    stored_data,
)
from app.documents.material import material_changes
from app.documents.models import (
    APPROVED,
    DRAFT,
    PENDING_APPROVAL,
    REJECTED,
    Document,
    DocumentEdit,
)
from app.documents.records import CREATOR_ROLES, REVISABLE, locked, outstanding_approvals
from app.documents.renders import make_version
from app.documents.renewal_figures import store_renewal_figures
from app.documents.resolve import kind_of, parse_data, resolve, with_defaults
from app.documents.revisions import priced_change_items, priced_changes
from app.errors import Conflict, Forbidden
from app.library.clause_files import PREFERRED
from app.uow import UnitOfWork
from app.users.models import User


def revise(uow: UnitOfWork, document_id: uuid.UUID, *, data: Any, actor: User) -> int:
    """Change a document's data before it is sent: a new version (earlier ones stay),
    recorded now and rendered by a job after the commit (`render_job.py`)."""
    return _revise(uow, document_id, data=data, actor=actor, render_now=False)


def render_revision(uow: UnitOfWork, document_id: uuid.UUID, *, data: Any, actor: User) -> int:
    """Revise with the new version's files rendered in the same transaction: for callers
    that already run as jobs (the renewal sweep)."""
    return _revise(uow, document_id, data=data, actor=actor, render_now=True)


def _revise(
    uow: UnitOfWork, document_id: uuid.UUID, *, data: Any, actor: User, render_now: bool
) -> int:
    """Assemble the document again from new data, with today's catalogue and library, as
    a new version under the same number and date.

    A material change (`app/documents/material.py`) voids the approvals given so far
    (they stay on record, marked with the reason), bars its editor from approving, and the
    document waits for approval again; a rejected document comes back for approval once
    revised."""
    if actor.role not in CREATOR_ROLES:
        raise Forbidden(f"a {actor.role} user cannot change documents")
    with uow:
        document = locked(uow.session, document_id)
        if document.status not in REVISABLE:
            raise Conflict(
                f"document {document.number} is {document.status}; void it before changing it"
            )
        package = package_for_version(uow, document.template_version)
        issued_on = date.fromisoformat(document.data["issued_on"])
        parsed = with_defaults(uow.settings, parse_data(kind_of(package), data), issued_on)
        resolved = resolve(uow, package, parsed, issued_on=issued_on)
        assembled = assemble(
            uow, package, parsed, resolved, number=document.number, issued_on=issued_on
        )
        changes = priced_changes(document.totals, assembled.record)
        jurisdiction = parsed.jurisdiction or uow.settings.default_jurisdiction
        record = data_record(parsed, jurisdiction, issued_on)
        material = material_changes(
            stored_data(kind_of(package), document.data),
            stored_data(kind_of(package), record),
            customer_before=document.customer,
            customer_after=customer_record(resolved),
            clauses_before=[str(dc.clause_version_id) for dc in document.clauses],
            clauses_after=[str(version.id) for version in resolved.clauses],
        )
        if changes and not material:
            material.append("priced figures")
        standing = [a for a in document.approvals if a.standing]
        if standing and (material or document.status == REJECTED):
            reason = (
                "; ".join([f"material change: {', '.join(material)}", *changes])
                if material
                else "revised after the rejection"
            )
            what_changed = {
                "fields": material,
                "figures": priced_change_items(document.totals, assembled.record),
            }
            for approval in standing:
                approval.reset_at = utcnow()
                approval.reset_reason = reason
                approval.reset_changes = what_changed
            audit.record_event(
                uow.session,
                tag="document.approvals_reset",
                subject=document,
                actor=actor,
                data={
                    "reason": reason,
                    "material": material,
                    "approvals": [a.rule for a in standing],
                },
            )
        document.data = record
        document.totals = assembled.record
        store_renewal_figures(document)
        document.approvals_required = required_approvals(uow, parsed, assembled, issued_on)
        document.non_standard = any(p != PREFERRED for p in parsed.clause_positions.values())
        document.account_id = resolved.account_id
        document.customer = customer_record(resolved)
        pin_clauses(uow.session, document, resolved)
        document.status = _status_after_revision(document)
        document.current_version += 1
        uow.session.add(
            DocumentEdit(
                document_id=document.id,
                user_id=actor.id,
                version=document.current_version,
                material=material,
                created_at=utcnow(),
            )
        )
        marks = make_version(
            uow,
            document,
            document.current_version,
            render_now=(lambda: (package, assembled)) if render_now else None,
        )
        audit.record_event(
            uow.session,
            tag="document.revised",
            subject=document,
            actor=actor,
            data={
                "version": document.current_version,
                "fingerprint": marks.digest,
                "draft": marks.draft,
                "priced_changes": changes,
                "material": material,
                "total": document.totals["total"],
                "status": document.status,
            },
        )
        uow.commit()
        return document.current_version


def _status_after_revision(document: Document) -> str:
    if outstanding_approvals(document):
        return PENDING_APPROVAL
    return APPROVED if document.approvals_required else DRAFT
