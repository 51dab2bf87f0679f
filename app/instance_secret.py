"""The secret key that signs page sessions: given in production, made once on the embedded
default and kept in its instance folder (readable by its owner only)."""

from __future__ import annotations

import os
import secrets

from app.config import Settings

MINIMUM_LENGTH = 16


def secret_key_for(settings: Settings) -> str:
    """The configured key; on the embedded default the kept (or a newly made) one.

    Outside the embedded default a missing or short key stops the service: a guessable key
    would let anyone forge a session."""
    if settings.secret_key:
        if not settings.embedded and len(settings.secret_key) < MINIMUM_LENGTH:
            raise RuntimeError(
                f"CONTRACTDESK_SECRET_KEY is shorter than {MINIMUM_LENGTH} characters; "
                "set a long random value, e.g. python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))'"
            )
        return settings.secret_key
    if not settings.embedded:
        raise RuntimeError(
            "set CONTRACTDESK_SECRET_KEY to a long random value (e.g. python -c 'import "
            "secrets; print(secrets.token_urlsafe(48))'): without it anyone could forge a "
            "session; only the embedded default (SQLite) makes one itself"
        )
    return _kept_key(settings)


def _kept_key(settings: Settings) -> str:
    path = settings.secret_key_path
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        kept = path.read_text().strip()
        if not kept:
            raise RuntimeError(f"{path} is empty; delete it to have a new key made") from None
        return kept
    with os.fdopen(descriptor, "w") as file:
        file.write(key + "\n")
    return key
