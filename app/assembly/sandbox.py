"""The one Jinja2 environment for authored text: sandboxed, autoescaped, no file access."""

from __future__ import annotations

from functools import lru_cache

from jinja2 import BaseLoader, StrictUndefined, Template
from jinja2.sandbox import ImmutableSandboxedEnvironment


@lru_cache(maxsize=2)
def sandbox(*, autoescape: bool = True) -> ImmutableSandboxedEnvironment:
    """Templates and clause text are written by people and treated as untrusted.

    The immutable sandbox refuses attribute tricks (`__class__`, `__globals__`) and
    mutation of the data it is given; a loader that knows no files means `{% include %}`
    cannot read the disk; undefined names fail loudly instead of printing nothing.
    """
    return ImmutableSandboxedEnvironment(
        loader=BaseLoader(),
        autoescape=autoescape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@lru_cache(maxsize=512)
def compile_template(source: str, *, autoescape: bool = True) -> Template:
    """Compiled once per distinct text: a template or clause version never changes, so the
    text itself is the cache key."""
    return sandbox(autoescape=autoescape).from_string(source)
