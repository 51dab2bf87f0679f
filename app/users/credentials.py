"""Changing what a user signs in with (password, role) and ending their sessions."""

from __future__ import annotations

from argon2 import PasswordHasher
from sqlalchemy.orm import Session

from app.audit import services as audit
from app.errors import FieldError, InvalidInput
from app.users.models import ROLES, User

hasher = PasswordHasher()


def check_password(password: str) -> None:
    """Refuse a password too weak to keep out someone guessing."""
    if len(password) < 8:
        raise InvalidInput(
            "passwords have at least 8 characters", [FieldError("/password", "too short")]
        )


def end_sessions(user: User) -> None:
    """Every session cookie made for the user so far stops working (`app.web.sessions`)."""
    user.session_generation += 1


def set_password(session: Session, user: User, password: str, *, actor: User | None) -> None:
    check_password(password)
    user.password_hash = hasher.hash(password)
    end_sessions(user)
    audit.record_event(
        session,
        tag="user.password_changed",
        subject=user,
        actor=actor,
        actor_label=None if actor else "command line",
    )


def set_role(session: Session, user: User, role: str, *, actor: User | None) -> None:
    if role not in ROLES:
        raise InvalidInput(
            f"unknown role {role!r}; roles are {', '.join(ROLES)}",
            [FieldError("/role", "unknown role")],
        )
    if role == user.role:
        return
    previous, user.role = user.role, role
    end_sessions(user)
    audit.record_event(
        session,
        tag="user.role_changed",
        subject=user,
        actor=actor,
        actor_label=None if actor else "command line",
        data={"from": previous, "to": role},
    )
