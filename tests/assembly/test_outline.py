"""Outline numbering, conditions and cross-references: pure, no database."""

from __future__ import annotations

from typing import Any

import pytest

from app.assembly.clauses import ClauseText, render_clauses
from app.assembly.outline import number_outline, parse_outline
from app.errors import InvalidInput

OUTLINE = parse_outline(
    [
        "definitions",
        {
            "section": {"en": "Fees", "nl": "Vergoedingen", "zh": "费用"},
            "clauses": ["fees", {"clause": "uplift", "when": "term.years > 1"}, "payment"],
        },
        {
            "section": {"en": "Term and termination", "nl": "Duur en beëindiging"},
            "clauses": ["term", "termination"],
        },
    ]
)


def _numbers(variables: dict[str, Any], language: str = "en") -> list[tuple[str, str]]:
    return [
        (clause.number, clause.key)
        for section in number_outline(OUTLINE, variables, language)
        for clause in section.clauses
    ]


def test_sections_number_their_clauses_and_conditions_leave_clauses_out() -> None:
    three_years = _numbers({"term": {"years": 3}})
    assert three_years == [
        ("1", "definitions"),
        ("2.1", "fees"),
        ("2.2", "uplift"),
        ("2.3", "payment"),
        ("3.1", "term"),
        ("3.2", "termination"),
    ]
    one_year = _numbers({"term": {"years": 1}})
    assert ("2.2", "payment") in one_year and "uplift" not in dict(map(reversed, one_year))


def test_headings_come_in_the_document_language_with_english_as_the_fallback() -> None:
    sections = number_outline(OUTLINE, {"term": {"years": 1}}, "zh")
    assert [s.heading for s in sections] == [None, "费用", "Term and termination"]


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ("term.__class__.__mro__", "unsafe"),
        ("term.years.__class__", "unsafe"),
        ("nosuchname > 1", "undefined"),
        ("term.years >", "cannot be evaluated"),
    ],
)
def test_conditions_run_in_the_sandbox_and_fail_loudly(condition: str, message: str) -> None:
    outline = parse_outline([{"clause": "uplift", "when": condition}])
    with pytest.raises(InvalidInput) as refused:
        number_outline(outline, {"term": {"years": 2}}, "en")
    assert message in refused.value.detail
    assert "uplift" in refused.value.detail


def _text(key: str, body: str) -> ClauseText:
    return ClauseText(key=key, title=key.title(), version=1, sha256="0" * 64, body=body)


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "clause 3.2"), ("nl", "artikel 3.2"), ("zh", "第3.2条")],
)
def test_a_cross_reference_names_the_clause_number_in_the_document_language(
    language: str, expected: str
) -> None:
    variables = {"term": {"years": 1}}
    sections = number_outline(OUTLINE, variables, language)
    texts = {
        key: _text(key, f"See {{{{ ref('termination') }}}} about {key}.")
        for key in ("definitions", "fees", "uplift", "payment", "term", "termination")
    }
    rendered = render_clauses(sections, texts, variables, language=language)
    assert rendered[0].clauses[0].paragraphs == (f"See {expected} about definitions.",)


def test_a_reference_to_a_clause_the_document_leaves_out_is_an_error() -> None:
    variables = {"term": {"years": 1}}
    sections = number_outline(OUTLINE, variables, "en")
    texts = {
        key: _text(key, "Fees rise as set out in {{ ref('uplift') }}." if key == "fees" else "x")
        for key in ("definitions", "fees", "uplift", "payment", "term", "termination")
    }
    with pytest.raises(InvalidInput) as refused:
        render_clauses(sections, texts, variables, language="en")
    assert "'fees'" in refused.value.detail and "'uplift'" in refused.value.detail


@pytest.mark.parametrize(
    "outline",
    [
        [],
        ["a", "a"],
        [{"section": "Fees", "clauses": ["a"]}],
        [{"section": {"en": "Fees"}, "clauses": []}],
        [{"clause": "a", "when": 3}],
        [{"clauses": ["a"]}],
    ],
)
def test_a_malformed_outline_is_refused(outline: Any) -> None:
    with pytest.raises(InvalidInput):
        parse_outline(outline)
