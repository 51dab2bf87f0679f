"""People and API keys: creating them, checking passwords and keys."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta
from typing import TYPE_CHECKING

from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit import services as audit
from app.db import utcnow
from app.errors import Conflict, FieldError, InvalidInput, NotFound
from app.users import credentials
from app.users.credentials import check_password
from app.users.credentials import hasher as _hasher
from app.users.models import ROLES, ApiKey, User
from app.users.scopes import allowed_scopes

if TYPE_CHECKING:
    from app.uow import TaskRuntime

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
    if password is not None:
        check_password(password, about=(email, name or ""))
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


def create_api_key(
    session: Session,
    *,
    user: User,
    name: str,
    scopes: list[str] | None = None,
    actor: User | None = None,
) -> tuple[ApiKey, str]:
    """Return the stored key record and the key itself, which is never stored or shown again.

    Without scopes the key gets every scope its user's role allows; asked-for scopes beyond
    the role are refused."""
    allowed = allowed_scopes(user.role)
    chosen = sorted(set(scopes)) if scopes is not None else list(allowed)
    beyond = [scope for scope in chosen if scope not in allowed]
    if beyond or not chosen:
        raise InvalidInput(
            f"a {user.role} user's key may hold {', '.join(allowed)}",
            [
                FieldError(
                    "/scopes",
                    f"not for a {user.role}: {', '.join(beyond) or 'none given'}",
                    "beyond_role" if beyond else "too_short",
                    {"scopes": ", ".join(beyond)},
                )
            ],
        )
    key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    record = ApiKey(
        user_id=user.id, name=name, prefix=key[:10], key_hash=_key_hash(key), scopes=chosen
    )
    session.add(record)
    session.flush()
    audit.record_event(
        session,
        tag="api_key.created",
        subject=record,
        actor=actor or user,
        data={"name": name, "user": user.email, "scopes": chosen, "prefix": record.prefix},
    )
    return record, key


LAST_USE_PRECISION = timedelta(minutes=1)
"""The last use is written at most once a minute per key: one write per call would make
every read a write."""


def api_key_for(session: Session, key: str) -> ApiKey | None:
    """The live key record for a presented key (its user active), its last use noted."""
    record = session.scalar(
        select(ApiKey).where(ApiKey.key_hash == _key_hash(key), ApiKey.revoked_at.is_(None))
    )
    if record is None or not record.user.active:
        return None
    now = utcnow()
    if record.last_used_at is None or now - record.last_used_at > LAST_USE_PRECISION:
        record.last_used_at = now
    return record


def user_for_api_key(session: Session, key: str) -> User | None:
    record = api_key_for(session, key)
    return record.user if record else None


def list_api_keys(session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.created_at.desc())))


def revoke_api_key(session: Session, key_id: uuid.UUID, *, actor: User | None) -> ApiKey:
    record = session.get(ApiKey, key_id)
    if record is None:
        raise NotFound(f"no API key {key_id}")
    if record.revoked_at is None:
        record.revoked_at = utcnow()
        audit.record_event(
            session,
            tag="api_key.revoked",
            subject=record,
            actor=actor,
            actor_label=None if actor else "command line",
            data={"name": record.name, "prefix": record.prefix},
        )
    return record


def get_user(session: Session, user_id: object) -> User | None:
    return session.get(User, user_id)


def user_by_id(session: Session, user_id: str) -> User:
    user = session.get(User, uuid.UUID(user_id))
    if user is None:
        raise NotFound(f"no user {user_id}")
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).where(User.active.is_(True)).order_by(User.email)))


def set_language(session: Session, user_id: uuid.UUID, language: str | None) -> None:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user {user_id}")
    user.language = language


def team_of(session: Session, user: User) -> set[uuid.UUID]:
    """The user and everyone on their team (only the user where they have none)."""
    if not user.team:
        return {user.id}
    return set(session.scalars(select(User.id).where(User.team == user.team))) | {user.id}


def end_sessions(session: Session, user_id: uuid.UUID) -> None:
    """Sign the user out everywhere: every session cookie made so far stops working."""
    user = session.get(User, user_id)
    if user is not None:
        credentials.end_sessions(user)


def acting_user(runtime: TaskRuntime, user_id: str) -> User:
    """The user a job acts for: jobs carry ids, never objects."""
    uow = runtime.unit_of_work()
    with uow:
        return user_by_id(uow.session, user_id)
