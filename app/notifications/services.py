"""Telling a user something once: keyed notifications shown on their pages."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.notifications.models import Notification


def notify_once(
    session: Session,
    *,
    user_id: uuid.UUID,
    key: str,
    message: str,
    document_id: uuid.UUID | None = None,
) -> Notification | None:
    """Add the notification unless one with the key exists; None when it did."""
    if session.scalar(select(Notification.id).where(Notification.key == key)) is not None:
        return None
    notification = Notification(user_id=user_id, key=key, message=message, document_id=document_id)
    session.add(notification)
    return notification


def unread(session: Session, user_id: uuid.UUID) -> list[Notification]:
    return list(
        session.scalars(
            select(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
            .order_by(Notification.created_at.desc())
        )
    )
