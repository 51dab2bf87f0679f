"""In a clause, the reviewed text is Markdown and the data printed into it is text."""

from __future__ import annotations

from app.assembly.clauses import ClauseText, render_clauses
from app.assembly.outline import NumberedClause, NumberedSection

BODY = "**Licensee.** {{ customer.name }} of {{ customer.address }}, see [the terms](https://publisher.example/terms)."


def _render(name: str, address: str) -> tuple[str, tuple[str, ...]]:
    sections = [NumberedSection("1", None, (NumberedClause("1.1", "parties"),))]
    texts = {"parties": ClauseText("parties", "Parties", 1, "0" * 64, BODY)}
    variables = {"customer": {"name": name, "address": address}}
    [section] = render_clauses(sections, texts, variables, language="en")
    [clause] = section.clauses
    return clause.html, clause.paragraphs


def test_the_clause_is_formatted_and_the_data_is_not() -> None:
    html, paragraphs = _render(
        "[click](https://evil.example) **bold** <b>x</b> ![i](http://169.254.169.254/)",
        "# Heading\n- item\n1. first",
    )
    assert "<strong>Licensee.</strong>" in html
    assert '<a href="https://publisher.example/terms">the terms</a>' in html
    assert html.count("<a ") == 1 and "<img" not in html and "<h1>" not in html
    assert "<li>" not in html and html.count("<strong>") == 1
    assert "[click](https://evil.example) **bold** &lt;b&gt;x&lt;/b&gt;" in html
    assert "![i](http://169.254.169.254/)" in html
    assert "# Heading<br />\n- item<br />\n1. first" in html
    assert paragraphs[0].startswith(
        "Licensee. [click](https://evil.example) **bold** <b>x</b> ![i](http://169.254.169.254/) of"
    )


def test_plain_data_reads_as_before() -> None:
    html, _ = _render("St. Mary's College & Library (1862)", "1 High St.")
    assert "St. Mary's College &amp; Library (1862) of 1 High St.," in html
