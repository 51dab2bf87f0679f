from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, get_args

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, IdMixin, utcnow
from app.library.models import ClauseVersion, TemplateVersion
from app.users.models import User

DRAFT = "draft"
PENDING_APPROVAL = "pending_approval"
APPROVED = "approved"
REJECTED = "rejected"
SENDING = "sending"
SENT = "sent"
SIGNED = "signed"
EXPIRED = "expired"
CANCELLED = "cancelled"
DocumentStatus = Literal[
    "draft",
    "pending_approval",
    "approved",
    "rejected",
    "sending",
    "sent",
    "signed",
    "expired",
    "cancelled",
]
STATUSES: tuple[str, ...] = get_args(DocumentStatus)

RENDERING = "rendering"
READY = "ready"
RENDER_FAILED = "failed"
RenderStatus = Literal["rendering", "ready", "failed"]

AMENDMENT = "amendment"
RENEWAL = "renewal"


class Document(IdMixin, Base):
    __tablename__ = "document"
    __table_args__ = (
        Index(
            "uq_document_one_renewal",
            "parent_id",
            unique=True,
            postgresql_where=text("relation = 'renewal'"),
            sqlite_where=text("relation = 'renewal'"),
        ),
        # keyset pages newest first, alone or within a filter, and the sweeps' picks
        Index("ix_document_created", "created_at", "id"),
        Index("ix_document_status_created", "status", "created_at", "id"),
        Index("ix_document_account_created", "account_id", "created_at", "id"),
        Index("ix_document_creator_created", "created_by_id", "created_at", "id"),
        Index("ix_document_kind_status", "kind", "status"),
        # the renewal pipeline adds up its stored values from the index alone
        Index(
            "ix_document_renewal_values",
            "status",
            "account_id",
            "currency",
            "renewal_starts_on",
            "renewal_net_annual",
            "renewal_net_term",
            postgresql_where=text("relation = 'renewal'"),
            sqlite_where=text("relation = 'renewal'"),
        ),
        Index(
            "ix_document_number_trgm",
            "number",
            postgresql_using="gin",
            postgresql_ops={"number": "gin_trgm_ops"},
        ),
    )

    number: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(30))
    template_version_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("template_version.id"))
    account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("account.id"))
    customer: Mapped[dict[str, Any]] = mapped_column(JSON)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    currency: Mapped[str] = mapped_column(String(3))
    totals: Mapped[dict[str, Any]] = mapped_column(JSON)
    approvals_required: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    non_standard: Mapped[bool] = mapped_column(default=False)
    external_ref: Mapped[str | None] = mapped_column(String(200), index=True)
    created_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user.id"))
    current_version: Mapped[int] = mapped_column(default=1)
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("document.id"), index=True)
    """The licence an amendment amends or a renewal renews."""
    relation: Mapped[str | None] = mapped_column(String(20))
    """How the document stands to its parent: amendment or renewal."""
    renewal_starts_on: Mapped[date | None]
    """A renewal's first day, for the renewal pipeline's quarters (None for others)."""
    renewal_net_annual: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    """A renewal's first contract year, net, in its currency, priced when written."""
    renewal_net_term: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    """A renewal's whole term, net, in its currency, priced when written."""
    created_via: Mapped[str] = mapped_column(String(10), default="page")
    """page (a person), api (a CRM), batch, or renewal (the sweep)."""
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    approved_at: Mapped[datetime | None]
    render_status: Mapped[str] = mapped_column(String(20), default=READY, server_default=READY)
    """Whether the current version's files are made: rendering (a job has them), ready,
    or failed (then `render_error` says why; a regenerate tries again)."""
    render_error: Mapped[str | None] = mapped_column(Text)
    """When every required approval was last given; edits after it bar their editors."""

    created_by: Mapped[User] = relationship(lazy="joined")
    template_version: Mapped[TemplateVersion] = relationship(lazy="joined")
    files: Mapped[list[DocumentFile]] = relationship(
        back_populates="document", order_by="DocumentFile.created_at", lazy="selectin"
    )
    approvals: Mapped[list[Approval]] = relationship(
        back_populates="document", order_by="Approval.created_at", lazy="selectin"
    )
    clauses: Mapped[list[DocumentClause]] = relationship(
        order_by="DocumentClause.position", lazy="selectin"
    )
    edits: Mapped[list[DocumentEdit]] = relationship(
        order_by="DocumentEdit.created_at", lazy="selectin"
    )

    def file(self, kind: str, version: int | None = None) -> DocumentFile | None:
        """The newest file of a kind, or the one of a given version."""
        matching = [f for f in self.files if f.kind == kind]
        if version is not None:
            matching = [f for f in matching if f.version == version]
        return max(matching, key=lambda f: f.version, default=None)


class DocumentEdit(IdMixin, Base):
    """One change of a document's data after it was created: who, which version, and
    which material fields it touched (`app/documents/material.py`)."""

    __tablename__ = "document_edit"

    document_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("document.id"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user.id"))
    version: Mapped[int]
    material: Mapped[list[str]] = mapped_column(JSON, default=list)
    """The material fields changed; empty for a change of nothing material."""

    user: Mapped[User] = relationship(lazy="joined")


class DocumentClause(Base):
    """Pins the exact clause version a document was assembled from."""

    __tablename__ = "document_clause"

    document_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("document.id"), primary_key=True)
    clause_version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("clause_version.id"), primary_key=True
    )
    position: Mapped[int]

    clause_version: Mapped[ClauseVersion] = relationship(lazy="joined")


class DocumentFile(IdMixin, Base):
    """One stored artifact version: where it lives and the checksum it must match."""

    __tablename__ = "document_file"
    __table_args__ = (UniqueConstraint("document_id", "kind", "version"),)

    document_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("document.id"))
    kind: Mapped[str] = mapped_column(String(20))
    version: Mapped[int]
    content_type: Mapped[str] = mapped_column(String(100))
    storage_key: Mapped[str] = mapped_column(String(500))
    storage_version_id: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]

    document: Mapped[Document] = relationship(back_populates="files")


class Approval(IdMixin, Base):
    __tablename__ = "approval"

    document_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("document.id"), index=True)
    decided_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user.id"))
    rule: Mapped[str] = mapped_column(String(60), default="")
    decision: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text, default="")
    reset_at: Mapped[datetime | None]
    """Set when a priced change after the decision made it void; the decision stays on record."""
    reset_reason: Mapped[str] = mapped_column(Text, default="")
    reset_changes: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    """What the change that voided it changed: material `fields` (data field names, or
    `customer`, `clause versions`, `priced figures`) and priced `figures` (see revisions),
    so that a page can say it in its language."""
    role: Mapped[str] = mapped_column(String(20), default="")
    """The approver's role when deciding: a higher rank may approve a lower step."""
    figures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """The rule as it fired when decided: reasons, figures and the exchange rate used."""

    @property
    def standing(self) -> bool:
        return self.reset_at is None

    document: Mapped[Document] = relationship(back_populates="approvals")
    decided_by: Mapped[User] = relationship(lazy="joined")


class DocumentVersionInput(IdMixin, Base):
    """What one stored version was made from, as it stood then: the data (with the
    defaults and `issued_on`), the customer, the priced figures, the template version and
    the clause versions in order. A later revision replaces the document's own record, so
    this is what renders an earlier version again (`app/documents/version_inputs.py`)."""

    __tablename__ = "document_version_input"
    __table_args__ = (UniqueConstraint("document_id", "version"),)

    document_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("document.id"))
    version: Mapped[int]
    template_version_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("template_version.id"))
    clause_version_ids: Mapped[list[str]] = mapped_column(JSON)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    customer: Mapped[dict[str, Any]] = mapped_column(JSON)
    totals: Mapped[dict[str, Any]] = mapped_column(JSON)
    account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("account.id"))
    made_at: Mapped[datetime]
