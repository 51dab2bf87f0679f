"""Creating a document: check the data, draw its number and record it with its figures,
approvals, clauses and audit in one transaction; its files are rendered by a job after the
commit (`render_job.py`), or at once for callers that are jobs themselves."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from app import counters
from app.assembly.schemas import DocumentData
from app.audit import services as audit
from app.billing import services as billing
from app.db import utcnow
from app.documents.assembling import (
    customer_record,
    data_record,
    package_for_version,
    pin_clauses,
    required_approvals,
)
from app.documents.models import DRAFT, PENDING_APPROVAL, RENEWAL, Document
from app.documents.records import CREATOR_ROLES, Parent
from app.documents.renders import make_version
from app.documents.renewal_figures import store_renewal_figures
from app.documents.resolve import (
    Resolved,
    document_input,
    kind_of,
    parse_data,
    resolve,
    with_defaults,
)
from app.errors import Forbidden
from app.library.clause_files import PREFERRED
from app.library.template_packages import TemplatePackage
from app.library.templates import published_version
from app.mail import events as mail
from app.uow import UnitOfWork
from app.users.models import User


def create_document(
    uow: UnitOfWork,
    *,
    template: str,
    data: Any,
    external_ref: str | None,
    actor: User,
    parent: Parent | None = None,
    via: str = "page",
) -> uuid.UUID:
    """Record the document, numbered, `rendering`; a job renders its files after the commit
    and marks it ready or failed. A bad request is answered here, before anything is kept."""
    return _create(
        uow,
        template=template,
        data=data,
        external_ref=external_ref,
        actor=actor,
        parent=parent,
        via=via,
        render_now=False,
    )


def render_new_document(
    uow: UnitOfWork,
    *,
    template: str,
    data: Any,
    external_ref: str | None,
    actor: User,
    parent: Parent | None = None,
    via: str = "page",
) -> uuid.UUID:
    """Create the document with its files rendered in the same transaction: for callers that
    already run as jobs (batches, the renewal sweep) and want all or nothing."""
    return _create(
        uow,
        template=template,
        data=data,
        external_ref=external_ref,
        actor=actor,
        parent=parent,
        via=via,
        render_now=True,
    )


def _create(
    uow: UnitOfWork,
    *,
    template: str,
    data: Any,
    external_ref: str | None,
    actor: User,
    parent: Parent | None,
    via: str,
    render_now: bool,
) -> uuid.UUID:
    """The number is drawn first in a short transaction of its own and confirmed in the main
    one (released if it fails), so parallel creations do not queue behind one another and
    the sequence keeps no gaps (see `counters.reserve`)."""
    if actor.role not in CREATOR_ROLES:
        raise Forbidden(f"a {actor.role} user cannot create documents")
    issued_on = utcnow().date()
    with uow:
        template_version = published_version(uow.session, template)
        package = package_for_version(uow, template_version)
        parsed = with_defaults(uow.settings, parse_data(kind_of(package), data), issued_on)
        resolved = resolve(uow, package, parsed, issued_on=issued_on)
    counter = f"document:{package.kind}:{issued_on.year}"
    sequence = counters.reserve(uow.fork(), counter)
    try:
        with uow:
            number = f"{kind_of(package).number_prefix}-{issued_on.year}-{sequence:06d}"
            document_id = _record_new_document(
                uow,
                parsed,
                resolved,
                package=package,
                template_version_id=template_version.id,
                number=number,
                issued_on=issued_on,
                external_ref=external_ref,
                actor=actor,
                parent=parent,
                via=via,
                render_now=render_now,
            )
            counters.confirm(uow.session, counter, sequence)
            uow.commit()
            return document_id
    except BaseException:
        counters.release(uow.fork(), counter, sequence)
        raise


def _record_new_document(
    uow: UnitOfWork,
    data: DocumentData,
    resolved: Resolved,
    *,
    package: TemplatePackage,
    template_version_id: uuid.UUID,
    number: str,
    issued_on: date,
    external_ref: str | None,
    actor: User,
    parent: Parent | None,
    via: str,
    render_now: bool,
) -> uuid.UUID:
    session = uow.session
    doc = document_input(uow, package, data, resolved, number=number, issued_on=issued_on)
    assembled = kind_of(package).assemble(doc)
    approvals = required_approvals(uow, data, assembled, issued_on)
    document = Document(
        id=uuid.uuid4(),
        number=number,
        kind=package.kind,
        status=PENDING_APPROVAL if approvals else DRAFT,
        template_version_id=template_version_id,
        account_id=resolved.account_id,
        customer=customer_record(resolved),
        data=data_record(data, doc.jurisdiction, issued_on),
        currency=data.currency,
        totals=assembled.record,
        approvals_required=approvals,
        non_standard=any(position != PREFERRED for position in data.clause_positions.values()),
        external_ref=external_ref,
        created_by_id=actor.id,
        current_version=1,
        parent_id=parent.document_id if parent else None,
        relation=parent.relation if parent else None,
        created_via=via,
    )
    store_renewal_figures(document)
    session.add(document)
    session.flush()
    pin_clauses(session, document, resolved)
    marks = make_version(
        uow, document, 1, render_now=(lambda: (package, assembled)) if render_now else None
    )
    audit.record_event(
        session,
        tag="document.created",
        subject=document,
        actor=actor,
        data={
            "number": number,
            "fingerprint": marks.digest,
            "draft": marks.draft,
            "total": document.totals["total"],
            "parent": parent.as_json() if parent else None,
            "approvals": approvals,
            "template": {"version_id": str(template_version_id)},
            "clauses": [
                {"key": v.clause.key, "version": v.version, "sha256": v.sha256}
                for v in resolved.clauses
            ],
        },
    )
    billing.publish(uow, "document.created", document)
    mail.approval_requested(uow, document)
    if parent is not None and parent.relation == RENEWAL:
        billing.publish(
            uow,
            "renewal.created",
            document,
            billing.document_event_data(document, renews=str(parent.document_id)),
        )
    return document.id
