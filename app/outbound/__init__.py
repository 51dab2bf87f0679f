"""Every request the service makes to the outside passes here: webhook deliveries and the
DocuSign API. See policy.py for what is refused and transports.py for where."""

from __future__ import annotations

from typing import Protocol

from app.outbound.policy import (
    LOOPBACK,
    Guard,
    OutboundRefused,
    Resolver,
    guard_from,
    system_resolver,
)


class Settings(Protocol):
    """The settings the guard reads (`app.config.Settings` has them; named so here, this
    package sits below the configuration, which imports its policy)."""

    @property
    def outbound_allow(self) -> str | None: ...

    @property
    def database_url(self) -> str: ...


__all__ = ["Guard", "OutboundRefused", "allow_list", "guard_for"]


def allow_list(settings: Settings) -> str:
    """The allow-list in force: the setting, else loopback in the embedded default (SQLite)
    so that a local receiver works out of the box, else nothing."""
    if settings.outbound_allow is not None:
        return settings.outbound_allow
    return LOOPBACK if settings.database_url.startswith("sqlite") else ""


def guard_for(settings: Settings, resolver: Resolver = system_resolver) -> Guard:
    return guard_from(allow_list(settings), resolver)
