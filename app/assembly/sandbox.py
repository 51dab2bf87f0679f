"""The one Jinja2 environment for authored text: sandboxed, autoescaped, no file access."""

from __future__ import annotations

from functools import lru_cache

from jinja2 import BaseLoader, StrictUndefined, Template, TemplateError, TemplateSyntaxError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from app.errors import InvalidInput


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


def template_line(exc: TemplateError) -> int | None:
    """The template line an error happened on: syntax errors carry it; for errors while
    rendering, Jinja maps the traceback's frames back to template lines."""
    if isinstance(exc, TemplateSyntaxError):
        return exc.lineno
    line = None
    traceback = exc.__traceback__
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == "<template>":
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return line


def template_problem(exc: TemplateError, name: str) -> InvalidInput:
    """A template failure as an error that names the file and, where known, the line."""
    line = template_line(exc)
    where = f"{name}, line {line}" if line else name
    message = exc.message if isinstance(exc, TemplateSyntaxError) else str(exc)
    return InvalidInput(f"template {where}: {message}")
