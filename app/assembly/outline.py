"""A template's clause outline: which clauses, in which sections, under which conditions,
and the numbers they get in one document. Pure: outline and data in, numbering out.

In `template.yaml` an outline is a list whose entries are a clause key, a clause with a
condition, or a section of such clauses::

    outline:
      - section: {en: Fees and payment, nl: Vergoedingen en betaling}
        clauses:
          - licence-fees
          - clause: annual-uplift
            when: term.years > 1

A top-level clause is numbered 1, 2, 3; a section takes the next number and its clauses
are numbered within it (7.1, 7.2). A section whose clauses are all left out is left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import TemplateError

from app.assembly.sandbox import sandbox
from app.errors import InvalidInput

REFERENCE_WORDS = {"en": "clause {}", "nl": "artikel {}", "zh": "第{}条"}


@dataclass(frozen=True)
class OutlineClause:
    key: str
    when: str | None = None


@dataclass(frozen=True)
class OutlineSection:
    """A numbered heading over clauses; `heading` is None for a lone top-level clause."""

    heading: Mapping[str, str] | None
    clauses: tuple[OutlineClause, ...]


@dataclass(frozen=True)
class NumberedClause:
    number: str
    key: str


@dataclass(frozen=True)
class NumberedSection:
    number: str
    heading: str | None
    clauses: tuple[NumberedClause, ...]


def _clause(entry: Any, where: str) -> OutlineClause:
    if isinstance(entry, str):
        return OutlineClause(entry)
    if isinstance(entry, dict) and set(entry) <= {"clause", "when"} and "clause" in entry:
        when = entry.get("when")
        if when is not None and not isinstance(when, str):
            raise InvalidInput(f"{where}: 'when' is an expression written as text")
        return OutlineClause(str(entry["clause"]), when)
    raise InvalidInput(f"{where}: expected a clause key or {{clause: KEY, when: CONDITION}}")


def parse_outline(raw: Any, *, where: str = "template.yaml outline") -> tuple[OutlineSection, ...]:
    if not isinstance(raw, list) or not raw:
        raise InvalidInput(f"{where}: the outline is a non-empty list")
    sections = []
    for index, entry in enumerate(raw, start=1):
        place = f"{where}, entry {index}"
        if isinstance(entry, dict) and "section" in entry:
            heading = entry["section"]
            clauses = entry.get("clauses")
            if not isinstance(heading, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in heading.items()
            ):
                raise InvalidInput(f"{place}: 'section' maps languages to headings")
            if not isinstance(clauses, list) or not clauses:
                raise InvalidInput(f"{place}: a section lists its clauses")
            sections.append(
                OutlineSection(
                    heading=dict(heading),
                    clauses=tuple(
                        _clause(c, f"{place}, clause {n}") for n, c in enumerate(clauses, 1)
                    ),
                )
            )
        else:
            sections.append(OutlineSection(heading=None, clauses=(_clause(entry, place),)))
    keys = [clause.key for section in sections for clause in section.clauses]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        raise InvalidInput(f"{where}: clauses listed more than once: {', '.join(repeated)}")
    return tuple(sections)


def outline_keys(outline: tuple[OutlineSection, ...]) -> list[str]:
    return [clause.key for section in outline for clause in section.clauses]


def condition_holds(clause: OutlineClause, variables: Mapping[str, Any]) -> bool:
    """Evaluate a `when` condition in the sandbox: no `eval`, no attribute tricks, and an
    unknown name is an error rather than quietly false."""
    if clause.when is None:
        return True
    try:
        expression = sandbox(autoescape=False).compile_expression(
            clause.when, undefined_to_none=False
        )
        return bool(expression(**variables))
    except TemplateError as exc:
        raise InvalidInput(
            f"the condition {clause.when!r} of clause {clause.key!r} cannot be evaluated: {exc}"
        ) from exc


def number_outline(
    outline: tuple[OutlineSection, ...], variables: Mapping[str, Any], language: str
) -> list[NumberedSection]:
    numbered: list[NumberedSection] = []
    for section in outline:
        included = [c for c in section.clauses if condition_holds(c, variables)]
        if not included:
            continue
        number = str(len(numbered) + 1)
        if section.heading is None:
            numbered.append(
                NumberedSection(number, None, (NumberedClause(number, included[0].key),))
            )
            continue
        heading = section.heading.get(language) or section.heading.get("en") or ""
        numbered.append(
            NumberedSection(
                number,
                heading,
                tuple(
                    NumberedClause(f"{number}.{n}", clause.key)
                    for n, clause in enumerate(included, start=1)
                ),
            )
        )
    return numbered


def reference(number: str, language: str) -> str:
    """How a document refers to one of its clauses: "clause 9.2", "artikel 9.2", "第9.2条"."""
    return REFERENCE_WORDS.get(language, REFERENCE_WORDS["en"]).format(number)
