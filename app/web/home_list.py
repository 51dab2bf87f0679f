"""The home page's list of documents: whose (mine, my team's, everyone's) and which, read
from the page's filter form. A value the form never offers is ignored, not refused."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from werkzeug.datastructures import MultiDict

from app.assembly.kinds import KINDS
from app.documents import models
from app.documents.listing import DocumentFilter, decode_cursor
from app.documents.records import CREATOR_ROLES
from app.errors import InvalidInput
from app.users.models import User

MINE, TEAM, EVERYONE = "mine", "team", "all"
STATUSES = (
    models.DRAFT,
    models.PENDING_APPROVAL,
    models.APPROVED,
    models.REJECTED,
    models.SENT,
    models.SIGNED,
    models.EXPIRED,
    models.CANCELLED,
)
CHOICES = {"scope": (MINE, TEAM, EVERYONE), "status": STATUSES, "kind": tuple(KINDS)}
MAX_SEARCH = 100


@dataclass(frozen=True)
class Shown:
    scope: str
    status: str | None
    kind: str | None
    search: str
    cursor: str | None

    @property
    def filtered(self) -> bool:
        return bool(self.status or self.kind or self.search)


def chosen(args: MultiDict[str, str], user: User) -> Shown:
    """The filters asked for; a seller starts with their own work, others with everyone's."""
    default = MINE if user.role in CREATOR_ROLES else EVERYONE

    def pick(name: str) -> str | None:
        value = args.get(name, "")
        return value if value in CHOICES[name] else None

    search = "".join(c for c in args.get("search", "") if c.isprintable()).strip()
    return Shown(
        scope=pick("scope") or default,
        status=pick("status"),
        kind=pick("kind"),
        search=search[:MAX_SEARCH],
        cursor=_cursor(args.get("cursor", "")),
    )


def _cursor(value: str) -> str | None:
    """A next-page cursor this service gave; anything else starts at the first page."""
    try:
        return value if value and decode_cursor(value) else None
    except InvalidInput:
        return None


def criteria(shown: Shown, user: User, team: set[uuid.UUID]) -> DocumentFilter:
    creators = {MINE: frozenset({user.id}), TEAM: frozenset(team), EVERYONE: None}[shown.scope]
    return DocumentFilter(
        status=shown.status,
        kind=shown.kind,
        created_by=creators,
        search=shown.search or None,
    )
