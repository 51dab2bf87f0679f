"""Gap-free counters shared by several capabilities (document numbers, the audit chain).

The increment is one `UPDATE ... RETURNING`, so the row stays locked until the caller's
transaction ends: two transactions never draw the same value, and a rolled-back one
leaves no gap.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import String, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.db import Base, utcnow

if TYPE_CHECKING:
    from app.uow import UnitOfWork


class SequenceCounter(Base):
    __tablename__ = "sequence_counter"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[int] = mapped_column(default=0)


def next_value(session: Session, name: str) -> int:
    bump = (
        update(SequenceCounter)
        .where(SequenceCounter.name == name)
        .values(value=SequenceCounter.value + 1)
        .returning(SequenceCounter.value)
    )
    value = session.execute(bump).scalar_one_or_none()
    if value is not None:
        return value
    try:
        with session.begin_nested():
            session.execute(insert(SequenceCounter).values(name=name, value=1))
        return 1
    except IntegrityError:
        # Another transaction created the counter first; its row is ours to bump now.
        return session.execute(bump).scalar_one()


class NumberReservation(Base):
    """A number handed to a creation still in progress; confirmed (deleted) in the same
    transaction that stores the document, released when that creation fails."""

    __tablename__ = "number_reservation"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[int] = mapped_column(primary_key=True)
    reserved_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReleasedNumber(Base):
    """A number whose creation failed; the next reservation takes it, so no gap stays."""

    __tablename__ = "released_number"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[int] = mapped_column(primary_key=True)


def reserve(uow: UnitOfWork, name: str) -> int:
    """Draw a number in a short transaction of its own, so that slow work done under it
    (rendering) does not hold the counter's lock: creations run in parallel, and the
    sequence still has no gaps and no duplicates."""
    with uow:
        session = uow.session
        released = session.scalar(
            select(ReleasedNumber)
            .where(ReleasedNumber.name == name)
            .order_by(ReleasedNumber.value)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if released is not None:
            value = released.value
            session.delete(released)
        else:
            value = next_value(session, name)
        session.add(NumberReservation(name=name, value=value, reserved_at=utcnow()))
        uow.commit()
    return value


def confirm(session: Session, name: str, value: int) -> None:
    """Part of the transaction that uses the number."""
    session.execute(
        delete(NumberReservation).where(
            NumberReservation.name == name, NumberReservation.value == value
        )
    )


def release(uow: UnitOfWork, name: str, value: int) -> None:
    with uow:
        uow.session.execute(
            delete(NumberReservation).where(
                NumberReservation.name == name, NumberReservation.value == value
            )
        )
        uow.session.add(ReleasedNumber(name=name, value=value))
        uow.commit()


def release_stale(uow: UnitOfWork, *, older_than: timedelta) -> int:
    """Release the numbers of creations that died without confirming or releasing them."""
    with uow:
        stale = list(
            uow.session.scalars(
                select(NumberReservation)
                .where(NumberReservation.reserved_at < utcnow() - older_than)
                .with_for_update(skip_locked=True)
            )
        )
        for reservation in stale:
            uow.session.add(ReleasedNumber(name=reservation.name, value=reservation.value))
            uow.session.delete(reservation)
        uow.commit()
    return len(stale)
