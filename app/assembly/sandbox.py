"""The one Jinja2 environment for authored text: sandboxed, autoescaped, no file access."""

from __future__ import annotations

from jinja2 import BaseLoader, StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment


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
