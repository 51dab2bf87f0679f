"""Clause text: Markdown with document variables, rendered in the sandbox."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jinja2 import TemplateError
from markdown_it import MarkdownIt

from app.assembly.sandbox import compile_template
from app.errors import InvalidInput


@dataclass(frozen=True)
class ClauseText:
    key: str
    title: str
    version: int
    sha256: str
    body: str


@dataclass(frozen=True)
class RenderedClause:
    number: int
    key: str
    title: str
    html: str
    paragraphs: tuple[str, ...]


def _markdown() -> MarkdownIt:
    # "commonmark" with raw HTML off: clause authors write Markdown, not markup.
    return MarkdownIt("commonmark", {"html": False})


def _plain_paragraphs(md: MarkdownIt, text: str) -> tuple[str, ...]:
    """The text of each paragraph or list item, for formats without HTML (DOCX)."""
    paragraphs: list[str] = []
    prefix = ""
    for token in md.parse(text):
        if token.type == "bullet_list_open":
            prefix = "• "
        elif token.type == "bullet_list_close":
            prefix = ""
        elif token.type == "inline":
            plain = "".join(
                child.content if child.type in {"text", "code_inline"} else " "
                for child in token.children or []
                if child.type in {"text", "code_inline", "softbreak", "hardbreak"}
            )
            paragraphs.append(prefix + " ".join(plain.split()))
    return tuple(paragraphs)


def render_clauses(clauses: list[ClauseText], variables: dict[str, Any]) -> list[RenderedClause]:
    md = _markdown()
    rendered = []
    for number, clause in enumerate(clauses, start=1):
        try:
            text = compile_template(clause.body, autoescape=False).render(**variables)
        except TemplateError as exc:
            raise InvalidInput(
                f"clause {clause.key!r} version {clause.version} could not be rendered: {exc}"
            ) from exc
        rendered.append(
            RenderedClause(
                number=number,
                key=clause.key,
                title=clause.title,
                html=md.render(text),
                paragraphs=_plain_paragraphs(md, text),
            )
        )
    return rendered
