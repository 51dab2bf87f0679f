from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, IdMixin
from app.users.models import User

DRAFT = "draft"
IN_REVIEW = "in_review"
APPROVED = "approved"
RETIRED = "retired"
PUBLISHED = "published"


class Clause(IdMixin, Base):
    __tablename__ = "clause"

    key: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300))

    versions: Mapped[list[ClauseVersion]] = relationship(
        back_populates="clause", order_by="ClauseVersion.version"
    )


class ClauseVersion(IdMixin, Base):
    """One text of one variant of a clause (language, jurisdiction, playbook position).

    Versions are numbered per variant. A draft may be edited; from `in_review` on the
    text is frozen, and an approved version never changes again."""

    __tablename__ = "clause_version"
    __table_args__ = (
        UniqueConstraint("clause_id", "language", "jurisdiction", "position", "version"),
    )

    clause_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clause.id"))
    version: Mapped[int]
    language: Mapped[str] = mapped_column(String(8))
    jurisdiction: Mapped[str] = mapped_column(String(40), default="")
    position: Mapped[str] = mapped_column(String(20), default="preferred")
    status: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user.id"))
    approved_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user.id"))
    approved_at: Mapped[datetime | None]
    review_comment: Mapped[str] = mapped_column(Text, default="")

    clause: Mapped[Clause] = relationship(back_populates="versions", lazy="joined")
    author: Mapped[User | None] = relationship(foreign_keys=[author_id], lazy="joined")
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id], lazy="joined")


class Template(IdMixin, Base):
    __tablename__ = "template"

    key: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(40))

    versions: Mapped[list[TemplateVersion]] = relationship(
        back_populates="template", order_by="TemplateVersion.version"
    )


class TemplateVersion(IdMixin, Base):
    """A version of a template package: its files as a zip archive, identified by their
    hash. Documents pin the version they were rendered from, so a stored document can be
    rendered again exactly as it was."""

    __tablename__ = "template_version"
    __table_args__ = (UniqueConstraint("template_id", "version"),)

    template_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("template.id"))
    version: Mapped[int]
    status: Mapped[str] = mapped_column(String(20))
    sha256: Mapped[str] = mapped_column(String(64))
    archive: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    """The package zip, loaded only when a template is unpacked: a document read needs not it."""
    uploaded_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user.id"))
    published_at: Mapped[datetime | None]
    published_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user.id"))
    """The second legal user who approved the package; never its uploader."""

    template: Mapped[Template] = relationship(back_populates="versions", lazy="joined")
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id], lazy="joined")
