"""Changing what a user signs in with (password, role) and ending their sessions."""

from __future__ import annotations

from argon2 import PasswordHasher
from sqlalchemy.orm import Session
from zxcvbn import zxcvbn

from app.audit import services as audit
from app.errors import FieldError, InvalidInput
from app.users.models import ROLES, User

hasher = PasswordHasher()

MINIMUM_LENGTH = 12
MINIMUM_STRENGTH = 3
"""zxcvbn's score (0-4): 3 is "safely unguessable: moderate protection from an offline
slow-hash attack", i.e. about 10^8 guesses or more."""
_CHECKED_LENGTH = 100
"""zxcvbn's time grows with the length; a longer password is judged by its start."""


def check_password(password: str, *, about: tuple[str, ...] = ()) -> None:
    """Refuse a password too short or too easy to guess (zxcvbn, knowing `about`: the
    user's email and name)."""
    if len(password) < MINIMUM_LENGTH:
        raise InvalidInput(
            f"a password needs at least {MINIMUM_LENGTH} characters",
            [FieldError("/password", "too short", "too_short", {"min": str(MINIMUM_LENGTH)})],
        )
    words = [part for item in about for part in item.replace("@", " ").replace(".", " ").split()]
    judged = zxcvbn(password[:_CHECKED_LENGTH], user_inputs=[*about, *words])
    if judged["score"] < MINIMUM_STRENGTH:
        hint = judged["feedback"]["warning"] or "it is made of common words or patterns"
        raise InvalidInput(
            f"this password is too easy to guess ({hint.rstrip('.')}); use a longer one, "
            "e.g. four or five unrelated words",
            [FieldError("/password", hint, "too_weak", {"hint": hint})],
        )


def end_sessions(user: User) -> None:
    """Every session cookie made for the user so far stops working (`app.web.sessions`)."""
    user.session_generation += 1


def set_password(session: Session, user: User, password: str, *, actor: User | None) -> None:
    check_password(password, about=(user.email, user.name))
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
