"""Gap-free counters shared by several capabilities (document numbers, the audit chain).

The increment is one `UPDATE ... RETURNING`, so the row stays locked until the caller's
transaction ends: two transactions never draw the same value, and a rolled-back one
leaves no gap.
"""

from __future__ import annotations

from sqlalchemy import String, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.db import Base


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


def current_value(session: Session, name: str) -> int:
    value = session.scalar(select(SequenceCounter.value).where(SequenceCounter.name == name))
    return value or 0
