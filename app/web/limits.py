"""Rate limits per API key (Flask-Limiter): a key over its limit gets 429 with
`Retry-After`. Counted by the key presented (its hash), before any database lookup, so an
abusive client costs a counter increment and nothing more; calls without a key count by
address."""

from __future__ import annotations

from apiflask import APIBlueprint, APIFlask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from app.config import Settings
from app.web.requests import presented_key_sha256


def _caller() -> str:
    key = presented_key_sha256()
    return f"key:{key}" if key else "addr:" + get_remote_address()


def init_app(app: APIFlask, settings: Settings, blueprints: list[APIBlueprint]) -> Limiter:
    """A limiter of the app's own (tests build several apps in one process)."""
    limiter = Limiter(
        key_func=_caller,
        app=app,
        storage_uri=settings.rate_limit_storage,
        storage_options={"socket_timeout": 2} if settings.rate_limit_storage != "memory://" else {},
        # While the shared store (Redis) is down, each process counts for itself instead of
        # failing every call; the shared counts come back with the store.
        in_memory_fallback_enabled=settings.rate_limit_storage != "memory://",
        headers_enabled=True,
    )
    for blueprint in blueprints:
        limiter.limit(settings.rate_limit)(blueprint)
    return limiter
