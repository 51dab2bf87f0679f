"""What an API key may do. A key carries scopes, and acts with its user's role: a call
needs both the scope and a role the service allows for it."""

from __future__ import annotations

READ = "documents:read"
WRITE = "documents:write"
SEND = "documents:send"
WEBHOOKS = "webhooks:manage"
ADMIN = "admin"
SCOPES = (READ, WRITE, SEND, WEBHOOKS, ADMIN)

ROLE_SCOPES: dict[str, tuple[str, ...]] = {
    "support": (READ, WRITE, SEND),
    "manager": (READ, WRITE, SEND),
    "director": (READ, WRITE),
    "legal": (READ, WRITE),
    "finance": (READ, WRITE, WEBHOOKS),
    "admin": SCOPES,
}


def allowed_scopes(role: str) -> tuple[str, ...]:
    return ROLE_SCOPES.get(role, (READ,))


def granted(scopes: list[str]) -> list[str]:
    """The scopes a key holds in effect: `admin` holds them all."""
    return list(SCOPES) if ADMIN in scopes else list(scopes)
