"""Where every state change is recorded: an append-only, hash-chained log."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.counters import next_value
from app.db import utcnow

GENESIS = "0" * 64


class Subject(Protocol):
    @property
    def id(self) -> Any: ...


class Actor(Protocol):
    """Who acted (a user): the log keeps their id and email, and needs no more of them."""

    @property
    def id(self) -> Any: ...

    @property
    def email(self) -> str: ...


def _entry_hash(event: AuditEvent) -> str:
    return entry_hash(
        seq=event.seq,
        tag=event.tag,
        subject=(event.subject_type, event.subject_id),
        actor_label=event.actor_label,
        at=event.created_at,
        data=event.data,
        prev_hash=event.prev_hash,
    )


def entry_hash(
    *,
    seq: int,
    tag: str,
    subject: tuple[str, str],
    actor_label: str,
    at: datetime,
    data: dict[str, Any],
    prev_hash: str,
) -> str:
    """An entry's hash from its fields (a bulk load appends entries without the ORM)."""
    body = json.dumps(
        {
            "seq": seq,
            "tag": tag,
            "subject": list(subject),
            "actor": actor_label,
            "at": at.isoformat(),
            "data": data,
            "prev": prev_hash,
        },
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(body.encode()).hexdigest()


def record_event(
    session: Session,
    *,
    tag: str,
    subject: Subject,
    actor: Actor | None,
    data: dict[str, Any] | None = None,
    actor_label: str | None = None,
) -> AuditEvent:
    """Append an entry; the sequence counter's row lock orders concurrent writers."""
    seq = next_value(session, "audit")
    prev = session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == seq - 1))
    event = AuditEvent(
        seq=seq,
        tag=tag,
        subject_type=type(subject).__name__.lower(),
        subject_id=str(subject.id),
        actor_id=actor.id if actor else None,
        actor_label=actor_label or (actor.email if actor else "system"),
        data=json.loads(json.dumps(data or {}, default=str)),
        prev_hash=prev or GENESIS,
        created_at=utcnow(),
    )
    event.hash = _entry_hash(event)
    session.add(event)
    return event


def first_broken_entry(session: Session) -> AuditEvent | None:
    """Walk the chain in order; the first entry whose hash or link does not hold."""
    prev = GENESIS
    for event in session.scalars(select(AuditEvent).order_by(AuditEvent.seq)):
        if event.prev_hash != prev or _entry_hash(event) != event.hash:
            return event
        prev = event.hash
    return None


def events_for(session: Session, subject: Subject) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.subject_id == str(subject.id))
            .order_by(AuditEvent.seq)
        )
    )
