"""One-click unsubscribe (RFC 8058): a signed token naming an address and a kind of message,
so the link works without a login and cannot be made for someone else's address."""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeSerializer

SALT = "contractdesk.mail.unsubscribe"


def token_for(secret: str, address: str, kind: str) -> str:
    return str(URLSafeSerializer(secret, salt=SALT).dumps([address.lower(), kind]))


def read_token(secret: str, token: str) -> tuple[str, str] | None:
    try:
        address, kind = URLSafeSerializer(secret, salt=SALT).loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    return str(address), str(kind)
