from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, IdMixin


class Notification(IdMixin, Base):
    """Something a user is told on their pages: a renewal coming up, an endpoint failing.

    `key` names what it is about, so that a sweep running twice tells no one twice."""

    __tablename__ = "notification"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user.id"), index=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    message: Mapped[str] = mapped_column(Text)
    document_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("document.id"))
    read_at: Mapped[datetime | None]
