"""Idempotency keys (the IETF draft `Idempotency-Key` header, as Stripe and others use it).

The first request with a key claims it with an insert: the unique constraint decides
between concurrent requests, so exactly one does the work. A retry with the same request
gets the first answer again; the same key with another request is refused; while the
first is still running, a retry is told to wait."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from app.db import utcnow
from app.idempotency.models import DONE, IN_PROGRESS, IdempotentRequest
from app.uow import UnitOfWork

LIFETIME = timedelta(hours=24)
REPLAYED_HEADERS = ("Content-Type", "Location")


@dataclass(frozen=True)
class Claimed:
    record_id: uuid.UUID


@dataclass(frozen=True)
class Replay:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Mismatch:
    """The key was used with another request."""


@dataclass(frozen=True)
class Busy:
    """The first request with the key has not answered yet."""


Outcome = Claimed | Replay | Mismatch | Busy


def claim(uow: UnitOfWork, *, caller: str, key: str, request_sha256: str) -> Outcome:
    now = utcnow()
    for _ in range(2):
        with uow:
            record = IdempotentRequest(
                caller=caller,
                key=key,
                request_sha256=request_sha256,
                state=IN_PROGRESS,
                expires_at=now + LIFETIME,
                created_at=now,
            )
            uow.session.add(record)
            try:
                uow.commit()
                return Claimed(record.id)
            except IntegrityError:
                uow.session.rollback()
            existing = uow.session.scalar(
                select(IdempotentRequest).where(
                    IdempotentRequest.caller == caller, IdempotentRequest.key == key
                )
            )
            if existing is None:
                continue  # answered with a 5xx and released in between: claim again
            if existing.expires_at <= now:
                uow.session.delete(existing)
                uow.commit()
                continue
            if existing.request_sha256 != request_sha256:
                return Mismatch()
            if existing.state != DONE:
                return Busy()
            assert existing.response_status is not None and existing.response_body is not None
            return Replay(
                existing.response_status, dict(existing.response_headers), existing.response_body
            )
    return Busy()


def answer(
    uow: UnitOfWork, record_id: uuid.UUID, *, status: int, headers: dict[str, Any], body: bytes
) -> None:
    """Keep the answer for retries; a failure that a retry might not meet (5xx, auth, rate
    limit, conflict) is not kept: the key is released instead."""
    with uow:
        record = uow.session.get(IdempotentRequest, record_id)
        if record is None:
            return
        if status >= 500 or status in (401, 403, 409, 429):
            uow.session.delete(record)
        else:
            record.state = DONE
            record.response_status = status
            record.response_headers = {
                name: headers[name] for name in REPLAYED_HEADERS if name in headers
            }
            record.response_body = body
        uow.commit()


def expire(uow: UnitOfWork, *, now: datetime | None = None) -> int:
    """Forget the keys older than their 24 hours; the number forgotten."""
    with uow:
        removed = uow.session.scalars(
            delete(IdempotentRequest)
            .where(IdempotentRequest.expires_at <= (now or utcnow()))
            .returning(IdempotentRequest.id)
        ).all()
        uow.commit()
        return len(removed)
