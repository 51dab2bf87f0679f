"""Clause text: Markdown with document variables, rendered in the sandbox."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import TemplateError
from markdown_it import MarkdownIt

from app.assembly.outline import NumberedSection, reference
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
    number: str
    key: str
    title: str
    html: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class RenderedSection:
    number: str
    heading: str | None
    clauses: tuple[RenderedClause, ...]


def _markdown() -> MarkdownIt:
    # "commonmark" with raw HTML off: clause authors write Markdown, not markup.
    return MarkdownIt("commonmark", {"html": False})


def _plain_paragraphs(md: MarkdownIt, text: str) -> tuple[str, ...]:
    """The text of each paragraph or list item, for formats without HTML (DOCX), with the
    markers the HTML rendering shows: a bullet, or the item's number."""
    paragraphs: list[str] = []
    lists: list[list[int]] = []  # per open list: [next number] or [] for a bullet list
    pending = ""
    for token in md.parse(text):
        if token.type == "bullet_list_open":
            lists.append([])
        elif token.type == "ordered_list_open":
            lists.append([int(token.attrGet("start") or 1)])
        elif token.type in {"bullet_list_close", "ordered_list_close"}:
            lists.pop()
        elif token.type == "list_item_open" and lists:
            counter = lists[-1]
            if counter:
                pending = f"{counter[0]}. "
                counter[0] += 1
            else:
                pending = "• "
        elif token.type == "inline":
            plain = "".join(
                child.content if child.type in {"text", "code_inline"} else " "
                for child in token.children or []
                if child.type in {"text", "code_inline", "softbreak", "hardbreak"}
            )
            paragraphs.append(pending + " ".join(plain.split()))
            pending = ""
    return tuple(paragraphs)


def render_clauses(
    sections: list[NumberedSection],
    texts: Mapping[str, ClauseText],
    variables: Mapping[str, Any],
    *,
    language: str,
) -> list[RenderedSection]:
    """Render each numbered clause's text; `ref('key')` names another clause's number."""
    numbers = {clause.key: clause.number for section in sections for clause in section.clauses}
    md = _markdown()

    def render(number: str, text: ClauseText) -> RenderedClause:
        def ref(key: str) -> str:
            if key not in numbers:
                raise InvalidInput(
                    f"clause {text.key!r} version {text.version} refers to clause {key!r}, "
                    "which this document does not contain"
                )
            return reference(numbers[key], language)

        try:
            source = compile_template(text.body, autoescape=False, markdown=True)
            rendered = source.render(**variables, ref=ref)
        except TemplateError as exc:
            raise InvalidInput(
                f"clause {text.key!r} version {text.version} could not be rendered: {exc}"
            ) from exc
        return RenderedClause(
            number=number,
            key=text.key,
            title=text.title,
            html=md.render(rendered),
            paragraphs=_plain_paragraphs(md, rendered),
        )

    return [
        RenderedSection(
            section.number,
            section.heading,
            tuple(render(clause.number, texts[clause.key]) for clause in section.clauses),
        )
        for section in sections
    ]
