"""The approval matrix for the people it binds, and the approval audit report."""

from __future__ import annotations

from flask import Blueprint, render_template

from app.approvals import explain
from app.web.context import runtime
from app.web.pages.auth import login_required

bp = Blueprint("pages_approvals", __name__)

STAFF = ("support", "manager", "director", "legal", "finance", "admin")


@bp.get("/approvals/matrix")
@login_required(*STAFF)
def matrix() -> str:
    return render_template(
        "approval_matrix.html", matrix=explain.matrix_rules(runtime().settings.approval_matrix)
    )
