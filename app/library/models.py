from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, IdMixin


class Clause(IdMixin, Base):
    __tablename__ = "clause"

    key: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300))

    versions: Mapped[list[ClauseVersion]] = relationship(
        back_populates="clause", order_by="ClauseVersion.version"
    )


class ClauseVersion(IdMixin, Base):
    """One immutable text of a clause in one language."""

    __tablename__ = "clause_version"
    __table_args__ = (UniqueConstraint("clause_id", "version", "language"),)

    clause_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clause.id"))
    version: Mapped[int]
    language: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))

    clause: Mapped[Clause] = relationship(back_populates="versions", lazy="joined")


class Template(IdMixin, Base):
    __tablename__ = "template"

    key: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(40))

    versions: Mapped[list[TemplateVersion]] = relationship(
        back_populates="template", order_by="TemplateVersion.version"
    )


class TemplateVersion(IdMixin, Base):
    """A published version of a template package, identified by the hash of its files."""

    __tablename__ = "template_version"
    __table_args__ = (UniqueConstraint("template_id", "version"),)

    template_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("template.id"))
    version: Mapped[int]
    status: Mapped[str] = mapped_column(String(20))
    sha256: Mapped[str] = mapped_column(String(64))

    template: Mapped[Template] = relationship(back_populates="versions", lazy="joined")
