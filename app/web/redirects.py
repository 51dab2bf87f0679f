"""Where a user-given target (`next`) may send someone after a form: only to a path of
this service.

The value is parsed, not pattern-matched. Anything a browser might read as another host
is refused outright rather than repaired: control characters (browsers drop tabs and
newlines, so `/\\t/evil.example` becomes `//evil.example`; a newline cannot be put in a
header at all), backslashes (read as `/`), a scheme, a host, `//` at the start, and the
same tricks percent-encoded, in case something between here and the browser decodes them.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit, urlunsplit

MAX_TARGET = 2048


def _unsafe(value: str) -> bool:
    return (
        "\\" in value
        or value.startswith("//")
        or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value)
    )


def local_target(value: str | None, fallback: str) -> str:
    """`value` when it is a path of this service (with its query and fragment), else
    `fallback`."""
    if not value or len(value) > MAX_TARGET or not value.startswith("/"):
        return fallback
    if _unsafe(value) or _unsafe(unquote(value)):
        return fallback
    try:
        parts = urlsplit(value)
    except ValueError:
        return fallback
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return fallback
    return urlunsplit(("", "", parts.path, parts.query, parts.fragment))
