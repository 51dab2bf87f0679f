"""Which signed licences the renewals sweep must look at closely. Reading a licence as
amended costs several queries, so over a hundred thousand licences the sweep first picks,
from light queries (the licences' terms, the amended licences, and each renewal's status
and stored first day, from an index), those whose renewal needs something today:

- a licence with an amendment (which may have moved its end): always looked at;
- a licence without a renewal whose term ends within the window: a draft is due;
- an open renewal that does not start the day after its licence ends: it is moved;
- an open renewal within the window whose latest reminder has not been sent: a reminder;
- a signed renewal within the window that starts before its licence ends: a problem.

Any other licence (an open renewal in step with its reminder sent, or not due yet) the
close look would have left alone; reading each of those every day took minutes."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.assembly.schemas import Term
from app.documents.models import AMENDMENT, CANCELLED, RENEWAL, SIGNED, Document
from app.notifications.models import Notification

BATCH = 1000


def reminder_key(licence_id: uuid.UUID, days: int) -> str:
    """The notification that says the reminder `days` before the end was sent."""
    return f"renewal-reminder:{licence_id}:{days}"


def _due_reminder(end: date, today: date, reminder_days: Sequence[int]) -> int | None:
    due = [d for d in sorted(reminder_days) if (end - today).days <= d]
    return due[0] if due else None


def _sent(session: Session, keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), BATCH):
        found.update(
            session.scalars(
                select(Notification.key).where(Notification.key.in_(keys[start : start + BATCH]))
            )
        )
    return found


def licences_to_sweep(
    session: Session,
    today: date,
    horizon: date,
    part: tuple[int, int] = (0, 1),
    reminder_days: Sequence[int] = (60, 30),
) -> list[uuid.UUID]:
    """The signed licences to look at, oldest first; `part` (index, count) takes one share
    of them, split by id, so that several workers can sweep side by side."""
    index, count = part
    terms = session.execute(
        select(Document.id, Document.data["term"])
        .where(Document.kind == "licence", Document.status == SIGNED)
        .order_by(Document.created_at, Document.id)
    ).all()
    amended = set(
        session.scalars(select(Document.parent_id).where(Document.relation == AMENDMENT).distinct())
    )
    renewals = {
        parent_id: (status, starts_on)
        for parent_id, status, starts_on in session.execute(
            select(Document.parent_id, Document.status, Document.renewal_starts_on).where(
                Document.relation == RENEWAL
            )
        )
    }
    picked: list[uuid.UUID] = []
    reminders: dict[uuid.UUID, str] = {}
    for licence_id, term in terms:
        if licence_id.int % count != index:
            continue
        if licence_id in amended:
            picked.append(licence_id)
            continue
        end = Term.model_validate(term).end
        in_window = today <= end <= horizon
        status, starts_on = renewals.get(licence_id, (None, None))
        if status is None:
            if in_window:
                picked.append(licence_id)
        elif status == CANCELLED:
            continue
        elif starts_on is None:  # not priced yet: look closely
            picked.append(licence_id)
        elif status == SIGNED:
            if in_window and starts_on <= end:
                picked.append(licence_id)
        elif starts_on != end + timedelta(days=1):
            picked.append(licence_id)
        elif in_window and (days := _due_reminder(end, today, reminder_days)) is not None:
            picked.append(licence_id)
            reminders[licence_id] = reminder_key(licence_id, days)
    sent = _sent(session, list(reminders.values()))
    return [i for i in picked if reminders.get(i) not in sent]
