"""A TOTP second factor (RFC 6238, any authenticator app): enrolment, and codes checked
once each."""

from __future__ import annotations

import hmac
import time

import pyotp
import segno
from sqlalchemy.orm import Session

from app.audit import services as audit
from app.users.models import TWO_FACTOR_ROLES, User

ISSUER = "Contract Desk"
STEP_SECONDS = 30
DRIFT_STEPS = 1
"""A code of the step before or after is accepted too: phones' clocks drift."""


def needs_second_factor(user: User, *, required: bool) -> bool:
    """Whether signing in asks for a code: always once enrolled; before, where required."""
    return user.totp_secret is not None or (required and user.role in TWO_FACTOR_ROLES)


def new_secret() -> str:
    return pyotp.random_base32()


def qr_svg(user: User, secret: str) -> str:
    """The authenticator app's enrolment link as an inline SVG QR code."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    return str(segno.make(uri, error="m").svg_inline(scale=4, title=ISSUER))


def _matching_step(secret: str, code: str, now: float) -> int | None:
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = int(now) // STEP_SECONDS
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _lock(session: Session, user: User) -> User:
    """The user's row locked: two requests with one code cannot both use it."""
    locked = session.get(User, user.id, with_for_update=True, populate_existing=True)
    assert locked is not None
    return locked


def verify(session: Session, user: User, code: str, *, now: float | None = None) -> bool:
    """Whether the code is good and unused; if so, its step (and every earlier one) is used."""
    user = _lock(session, user)
    if user.totp_secret is None:
        return False
    step = _matching_step(user.totp_secret, code, time.time() if now is None else now)
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        return False
    user.totp_last_step = step
    return True


def enrol(
    session: Session, user: User, secret: str, code: str, *, now: float | None = None
) -> bool:
    """Keep the secret once the user proves their app has it (a good code)."""
    user = _lock(session, user)
    step = _matching_step(secret, code, time.time() if now is None else now)
    if step is None:
        return False
    user.totp_secret = secret
    user.totp_last_step = step
    audit.record_event(session, tag="user.two_factor_enrolled", subject=user, actor=user)
    return True
