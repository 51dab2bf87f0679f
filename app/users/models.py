from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, IdMixin

ROLES = ("support", "manager", "director", "legal", "finance", "admin")
TWO_FACTOR_ROLES = ("admin", "legal", "finance", "director")
"""Roles whose accounts sign in with a second factor where it is required."""


class User(IdMixin, Base):
    __tablename__ = "user"

    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    language: Mapped[str | None] = mapped_column(String(5), default=None)
    """The language this user chose for the pages (en or nl); None follows the browser."""
    team: Mapped[str | None] = mapped_column(String(80), default=None)
    """The desk this user shares work with (e.g. a region's sellers and their manager)."""
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    """Moved on by signing out, a new password or role: older session cookies stop working."""
    totp_secret: Mapped[str | None] = mapped_column(String(64), default=None)
    """The shared secret of the user's authenticator app (RFC 6238), once enrolled."""
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger, default=None)
    """The 30-second step of the last code accepted: a code is good once."""


class ApiKey(IdMixin, Base):
    """An API key, stored only as its SHA-256; the key itself is shown once at creation."""

    __tablename__ = "api_key"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user.id"))
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    """What the key may do, within what its user's role may do."""
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")
