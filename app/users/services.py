"""People and API keys: creating them, checking passwords and keys."""

from __future__ import annotations

import hashlib
import secrets
import uuid

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit import services as audit
from app.db import utcnow
from app.errors import Conflict, FieldError, InvalidInput, NotFound
from app.users.models import ROLES, ApiKey, User

_hasher = PasswordHasher()

API_KEY_PREFIX = "cd_"


def _key_hash(key: str) -> str:
    # API keys carry 256 random bits, so a fast hash is enough (unlike passwords).
    return hashlib.sha256(key.encode()).hexdigest()


def create_user(
    session: Session, *, email: str, role: str, password: str | None, name: str | None = None
) -> User:
    email = email.strip().lower()
    if role not in ROLES:
        raise InvalidInput(
            f"unknown role {role!r}; roles are {', '.join(ROLES)}",
            [FieldError("/role", "unknown role")],
        )
    if "@" not in email:
        raise InvalidInput("an email address is needed", [FieldError("/email", "not an email")])
    if password is not None and len(password) < 8:
        raise InvalidInput(
            "passwords have at least 8 characters",
            [FieldError("/password", "too short")],
        )
    if session.scalar(select(User).where(User.email == email)) is not None:
        raise Conflict(f"a user {email} exists already")
    user = User(
        email=email,
        role=role,
        name=name or email.split("@")[0],
        password_hash=_hasher.hash(password) if password else None,
    )
    session.add(user)
    session.flush()
    audit.record_event(session, tag="user.created", subject=user, actor=None, data={"role": role})
    return user


def user_by_email(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise NotFound(f"no user {email}")
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active or not user.password_hash:
        _hasher.hash(password)  # spend the same time whether or not the user exists
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return user


def create_api_key(session: Session, *, user: User, name: str) -> tuple[ApiKey, str]:
    """Return the stored key record and the key itself, which is never stored or shown again."""
    key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    record = ApiKey(user_id=user.id, name=name, prefix=key[:10], key_hash=_key_hash(key))
    session.add(record)
    session.flush()
    audit.record_event(
        session, tag="api_key.created", subject=record, actor=user, data={"name": name}
    )
    return record, key


def user_for_api_key(session: Session, key: str) -> User | None:
    record = session.scalar(
        select(ApiKey).where(ApiKey.key_hash == _key_hash(key), ApiKey.revoked_at.is_(None))
    )
    if record is None or not record.user.active:
        return None
    record.last_used_at = utcnow()
    return record.user


def get_user(session: Session, user_id: object) -> User | None:
    return session.get(User, user_id)


def user_by_id(session: Session, user_id: str) -> User:
    user = session.get(User, uuid.UUID(user_id))
    if user is None:
        raise NotFound(f"no user {user_id}")
    return user
