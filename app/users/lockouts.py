"""Recording that sign-ins were locked after too many wrong passwords: an audit entry, and
a notice to the account's owner (whoever tried, the owner should know)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit import services as audit
from app.notifications.services import notify_once
from app.users.models import User

THROTTLE = "sign-in throttle"


@dataclass(frozen=True)
class ClientAddress:
    """The audit subject of an address locked out whatever account it tried."""

    id: str


def account_locked(
    session: Session, *, email: str, address: str, failures: int, until: datetime
) -> None:
    """The account named `email` (if there is one) is locked until `until`."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        audit.record_event(
            session,
            tag="sign_in.locked_unknown_account",
            subject=ClientAddress(address),
            actor=None,
            actor_label=THROTTLE,
            data={"email": email[:320], "failures": failures, "until": until.isoformat()},
        )
        return
    audit.record_event(
        session,
        tag="user.sign_in_locked",
        subject=user,
        actor=None,
        actor_label=THROTTLE,
        data={"address": address, "failures": failures, "until": until.isoformat()},
    )
    notify_once(
        session,
        user_id=user.id,
        key=f"sign-in-locked:{user.id}:{until.isoformat(timespec='minutes')}",
        message=f"{failures} wrong passwords were given for your account, the last from "
        f"{address}; signing in is locked until {until:%H:%M} UTC. If this was not you, "
        "tell an administrator.",
    )


def address_locked(session: Session, *, address: str, failures: int, until: datetime) -> None:
    audit.record_event(
        session,
        tag="sign_in.address_locked",
        subject=ClientAddress(address),
        actor=None,
        actor_label=THROTTLE,
        data={"failures": failures, "until": until.isoformat()},
    )
