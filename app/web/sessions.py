"""Page sessions: a signed cookie that names the user, the user's session generation when
it was made, when they signed in and when it was last used.

The cookie is made new at each sign-in (nothing from before survives it: no session
fixation), and refused once the user's generation moved on (signed out, new password, new
role), once idle for `session_idle_minutes` or older than `session_max_hours`."""

from __future__ import annotations

import time
import uuid

from flask import session

from app.config import Settings
from app.users.models import User

USER = "user_id"
GENERATION = "generation"
SIGNED_IN_AT = "signed_in_at"
SEEN_AT = "seen_at"


def start(user: User) -> None:
    """A fresh session for the user who just proved who they are."""
    session.clear()
    session.permanent = True
    now = int(time.time())
    session.update(
        {USER: str(user.id), GENERATION: user.session_generation, SIGNED_IN_AT: now, SEEN_AT: now}
    )


def claimed_user_id() -> uuid.UUID | None:
    """The user the cookie names, before any check; None for none or a malformed one."""
    try:
        return uuid.UUID(session[USER]) if USER in session else None
    except (TypeError, ValueError):
        return None


def still_valid(user: User | None, settings: Settings) -> bool:
    """Whether the session may go on for `user`; if so its last use is now."""
    now = int(time.time())
    signed_in = session.get(SIGNED_IN_AT)
    seen = session.get(SEEN_AT)
    if (
        user is None
        or not user.active
        or session.get(GENERATION) != user.session_generation
        or not isinstance(signed_in, int)
        or not isinstance(seen, int)
        or now - seen > settings.session_idle_minutes * 60
        or now - signed_in > settings.session_max_hours * 3600
    ):
        session.clear()
        return False
    if now - seen >= 60:  # once a minute is precise enough, and spares a cookie per request
        session[SEEN_AT] = now
    return True


def keep_after_own_change(user: User) -> None:
    """The user changed their own password: this session goes on, every other one ends."""
    session[GENERATION] = user.session_generation


def end() -> None:
    session.clear()


PENDING_USER = "pending_user_id"
PENDING_GENERATION = "pending_generation"
PENDING_AT = "pending_at"
PENDING_SECONDS = 300
"""How long a right password waits for its second factor."""
ENROLLING = "enrolling_totp"


def start_pending(user: User) -> None:
    """The password was right; the user is not signed in until the second factor is."""
    session.clear()
    session.update(
        {
            PENDING_USER: str(user.id),
            PENDING_GENERATION: user.session_generation,
            PENDING_AT: int(time.time()),
        }
    )


def pending_user_id() -> uuid.UUID | None:
    """The user who gave a right password in the last five minutes, if any."""
    at = session.get(PENDING_AT)
    if not isinstance(at, int) or time.time() - at > PENDING_SECONDS:
        return None
    try:
        return uuid.UUID(session[PENDING_USER])
    except (KeyError, TypeError, ValueError):
        return None


def pending_is_current(user: User) -> bool:
    return session.get(PENDING_GENERATION) == user.session_generation
