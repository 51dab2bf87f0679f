"""The renewals sweep: a renewal draft for every licence ending soon, drafted from the
licence as amended, and reminders to its owner as the end comes near. It also keeps each
renewal in step with its licence: a renewal not yet signed is withdrawn once its licence
is cancelled, and moved (drafted again, as a new version of the same document, so that it
starts the day after the new end) once an extension is signed; a renewal out for signature
has its envelope voided first. Idempotent: a licence has at most one renewal, each
reminder is a keyed notification, and a renewal in step is left alone, so a second run
(or two at once) makes nothing twice."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from app.audit import services as audit
from app.billing import services as billing
from app.catalogue.models import Product
from app.db import utcnow
from app.documents.contracts import AsAmended, as_amended
from app.documents.creating import render_new_document
from app.documents.models import CANCELLED, RENEWAL, SENDING, SENT, SIGNED, Document
from app.documents.records import Parent, locked
from app.documents.revising import render_revision
from app.mail import events as mail
from app.notifications.services import notify_once
from app.renewals.candidates import licences_to_sweep, reminder_key
from app.renewals.drafting import renewal_fee_lines
from app.signing import follow_up as signing
from app.uow import UnitOfWork
from app.users.models import User

log = logging.getLogger(__name__)

LICENCE_TEMPLATE = "licence-agreement"
CLOSED = (SIGNED, CANCELLED)
"""A renewal in these states is no longer the sweep's to change."""
SWEEP = "renewals sweep"


@dataclass
class SweepResult:
    renewals: list[uuid.UUID] = field(default_factory=list)
    redated: list[uuid.UUID] = field(default_factory=list)
    """Renewals drafted again to start the day after an extended term."""
    withdrawn: list[uuid.UUID] = field(default_factory=list)
    """Renewals of cancelled licences."""
    reminders: int = 0
    notes: list[str] = field(default_factory=list)
    """What a person should settle by hand (a credit a renewal could not carry)."""
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Draft:
    data: dict[str, Any]
    left_out: list[str]
    """Credits for removed titles the draft could not carry (see `drafting`)."""


def _renewal_of(uow: UnitOfWork, licence_id: uuid.UUID) -> Document | None:
    return uow.session.scalar(
        select(Document).where(Document.parent_id == licence_id, Document.relation == RENEWAL)
    )


def renewal_data(uow: UnitOfWork, current: AsAmended) -> Draft:
    """The licence's data for the next term, from the contract as amended: the same
    terms and invoice periods, the titles licensed now, the fee lines `drafting` gives
    (the catalogue's list for the new first year where there is one, else the last year's
    price with the contract's uplift), starting the day after the term as amended ends.
    The purchase order stays with the old term: the customer gives one for each period."""
    licence, data, contract = current.licence, current.data, current.contract
    start = contract.term.end + timedelta(days=1)
    skus = [line.sku for line in contract.lines if line.sku]
    products = uow.session.scalars(select(Product).where(Product.sku.in_(skus)))
    listed = {p.sku: p.listed_in(licence.currency, start.year) is not None for p in products}
    fees = renewal_fee_lines(contract, listed)
    renewed = data.model_dump(mode="json")
    renewed.update(
        {
            "account": str(licence.account_id) if licence.account_id else renewed["account"],
            "term": {"start": start.isoformat(), "years": data.term.years},
            "lines": fees.lines,
            "discount_amount": str(fees.discount_amount),
            "titles": [t.model_dump(mode="json") for t in current.consolidated.titles],
            "jurisdiction": licence.data.get("jurisdiction"),
            "po_number": None,
        }
    )
    return Draft(renewed, fees.left_out)


def _remind(uow: UnitOfWork, licence: Document, renewal: Document, days_left: int) -> bool:
    """The latest reminder due for a licence whose renewal is not signed yet."""
    due = [d for d in sorted(uow.settings.renewal_reminder_days) if days_left <= d]
    if not due or renewal.status in CLOSED:
        return False
    days = due[0]
    note = notify_once(
        uow.session,
        user_id=licence.created_by_id,
        key=reminder_key(licence.id, days),
        message=f"{licence.number} for {licence.customer['name']} ends in {days_left} days; "
        f"its renewal {renewal.number} is {renewal.status.replace('_', ' ')}.",
        document_id=renewal.id,
    )
    if note is None:
        return False
    mail.renewal_due(uow, licence, renewal, days_left=days_left, reminder=days)
    billing.publish(
        uow,
        "renewal.due",
        licence,
        billing.document_event_data(
            licence, renewal=str(renewal.id), days_left=days_left, reminder=days
        ),
    )
    audit.record_event(
        uow.session,
        tag="renewal.reminded",
        subject=licence,
        actor=None,
        actor_label=SWEEP,
        data={"days_left": days_left, "reminder": days, "renewal": renewal.number},
    )
    return True


def _off_signature(
    uow: UnitOfWork, renewal_id: uuid.UUID, status: str, owner: User, why: str
) -> None:
    """A renewal out for signature is voided first: its signers must not sign what is
    about to change."""
    if status in (SENDING, SENT):
        signing.void(uow, renewal_id, reason=why, actor=owner)


def withdraw_renewals_of_cancelled(uow: UnitOfWork, result: SweepResult) -> None:
    """Withdraw every renewal not yet signed whose licence has been cancelled: it is
    cancelled with the reason, and an audit event says why."""
    licence = aliased(Document)
    with uow:
        orphans = uow.session.execute(
            select(Document.id, Document.status, Document.created_by_id, licence.number)
            .join(licence, licence.id == Document.parent_id)
            .where(
                Document.relation == RENEWAL,
                Document.status.not_in(CLOSED),
                licence.status == CANCELLED,
            )
        ).all()
        wanted = {owner_id for _, _, owner_id, _ in orphans}
        owners = {u.id: u for u in uow.session.scalars(select(User).where(User.id.in_(wanted)))}
    for renewal_id, status, owner_id, number in orphans:
        why = f"licence {number} was cancelled"
        try:
            _off_signature(uow, renewal_id, status, owners[owner_id], why)
            with uow:
                renewal = locked(uow.session, renewal_id)
                if renewal.status in CLOSED:
                    continue
                renewal.status = CANCELLED
                audit.record_event(
                    uow.session,
                    tag="renewal.withdrawn",
                    subject=renewal,
                    actor=None,
                    actor_label=SWEEP,
                    data={"reason": why, "licence": number, "status_before": status},
                )
                uow.commit()
        except Exception as exc:  # one renewal that cannot be withdrawn never stops the others
            log.exception("withdrawing renewal %s failed", renewal_id)
            result.problems.append(f"{renewal_id}: {exc}")
            continue
        result.withdrawn.append(renewal_id)


@dataclass(frozen=True)
class _Redate:
    renewal_id: uuid.UUID
    status: str
    owner: User
    before: str
    draft: Draft
    licence: str


def _redate(uow: UnitOfWork, job: _Redate, result: SweepResult) -> None:
    """Draft the renewal again, as a new version of the same document, to start the day
    after the term as extended; its approvals are judged again like any revision's."""
    after = job.draft.data["term"]["start"]
    why = f"licence {job.licence} was extended: the renewal now starts on {after}"
    _off_signature(uow, job.renewal_id, job.status, job.owner, why)
    version = render_revision(uow, job.renewal_id, data=job.draft.data, actor=job.owner)
    with uow:
        renewal = locked(uow.session, job.renewal_id)
        audit.record_event(
            uow.session,
            tag="renewal.redated",
            subject=renewal,
            actor=None,
            actor_label=SWEEP,
            data={
                "licence": job.licence,
                "start": {"before": job.before, "after": after},
                "version": version,
                "status_before": job.status,
            },
        )
        notify_once(
            uow.session,
            user_id=job.owner.id,
            key=f"renewal-redated:{job.renewal_id}:{after}",
            message=f"{renewal.number} now starts on {after}, after {job.licence} was extended.",
            document_id=renewal.id,
        )
        uow.commit()
    result.redated.append(job.renewal_id)


@dataclass(frozen=True)
class _New:
    licence_id: uuid.UUID
    owner: User
    external_ref: str | None
    draft: Draft
    licence: str


def _draft_new(uow: UnitOfWork, job: _New, result: SweepResult) -> None:
    renewal_id = render_new_document(
        uow,
        template=LICENCE_TEMPLATE,
        data=job.draft.data,
        external_ref=job.external_ref,
        actor=job.owner,
        parent=Parent(job.licence_id, RENEWAL),
        via="renewal",
    )
    result.renewals.append(renewal_id)


def _due(
    uow: UnitOfWork, licence_id: uuid.UUID, today: date, horizon: date, result: SweepResult
) -> _New | _Redate | None:
    """What a licence's renewal needs: drafting, moving, or at most a reminder (sent here)."""
    current = as_amended(uow.session, licence_id)
    end = current.contract.term.end
    in_window = today <= end <= horizon
    licence = current.licence
    renewal = _renewal_of(uow, licence_id)
    if renewal is None:
        if not in_window:
            return None
        return _New(
            licence_id,
            licence.created_by,
            licence.external_ref,
            renewal_data(uow, current),
            licence.number,
        )
    start = renewal.data["term"]["start"]
    if renewal.status == SIGNED and start <= end.isoformat():
        result.problems.append(
            f"{licence.number} runs to {end}, past the start of its signed renewal "
            f"{renewal.number} on {start}"
        )
    elif renewal.status not in CLOSED and start != (end + timedelta(days=1)).isoformat():
        return _Redate(
            renewal.id,
            renewal.status,
            renewal.created_by,
            start,
            renewal_data(uow, current),
            licence.number,
        )
    elif in_window and _remind(uow, licence, renewal, (end - today).days):
        result.reminders += 1
        uow.commit()
    return None


def _sweep_licence(
    uow: UnitOfWork, licence_id: uuid.UUID, today: date, horizon: date, result: SweepResult
) -> None:
    with uow:
        job = _due(uow, licence_id, today, horizon, result)
    if job is None:
        return
    if isinstance(job, _New):
        _draft_new(uow, job, result)
        with uow:  # the first reminder (90 days by default) goes with the draft
            _due(uow, licence_id, today, horizon, result)
    else:
        _redate(uow, job, result)
    result.notes.extend(
        f"{job.licence}: the renewal does not carry the credit for {title} (the licence has "
        "a header discount percent); settle it by hand"
        for title in job.draft.left_out
    )


def sweep(
    uow: UnitOfWork, *, today: date | None = None, part: tuple[int, int] = (0, 1)
) -> SweepResult:
    """Withdraw the renewals of cancelled licences, move those whose licence was extended,
    make the renewal drafts due and send the reminders due, as of `today`. It runs as a
    job, so it renders in place rather than queueing a render and waiting for it. Only a
    signed licence is renewed: a cancelled one never is. `part` (index, count) sweeps one
    share of the licences, for workers side by side (see `candidates`)."""
    today = today or utcnow().date()
    horizon = today + timedelta(days=uow.settings.renewal_window_days)
    result = SweepResult()
    withdraw_renewals_of_cancelled(uow, result)
    with uow:
        licences = licences_to_sweep(
            uow.session, today, horizon, part, uow.settings.renewal_reminder_days
        )
    for licence_id in licences:
        try:
            _sweep_licence(uow, licence_id, today, horizon, result)
        except Exception as exc:  # one licence that cannot renew never stops the others
            log.exception("renewal of licence %s failed", licence_id)
            result.problems.append(f"{licence_id}: {exc}")
    return result
