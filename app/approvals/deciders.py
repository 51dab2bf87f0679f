"""Who may decide a document's current approval step: the pages and the approval mail ask
this without deciding anything."""

from __future__ import annotations

import uuid

from app.assembly.approval_matrix import APPROVER_ROLES, ApprovalMatrix
from app.documents.models import PENDING_APPROVAL, Document
from app.documents.records import outstanding_approvals
from app.users.models import User


def barred(document: Document) -> dict[uuid.UUID, str]:
    """Who may not decide the document's steps, and why: its creator, and the editors of
    material changes since it was last approved in full."""
    found = {document.created_by_id: "is its creator"}
    for edit in document.edits:
        if edit.material and (
            document.approved_at is None or edit.created_at > document.approved_at
        ):
            found.setdefault(
                edit.user_id, f"changed {', '.join(edit.material)} in version {edit.version}"
            )
    return found


def may_decide(document: Document, user: User, matrix: ApprovalMatrix) -> bool:
    """Whether the controls let the user decide the document's current step (for pages)."""
    if document.status != PENDING_APPROVAL or user.role not in APPROVER_ROLES:
        return False
    outstanding = outstanding_approvals(document)
    if not outstanding or user.id in barred(document):
        return False
    step = min(int(rule.get("step", 1)) for rule in outstanding)
    return any(
        matrix.may_approve(user.role, rule["role"]) and int(rule.get("step", 1)) == step
        for rule in outstanding
    )
