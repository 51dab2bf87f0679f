"""The PDF title list as an agent checks an order against it: every page says which
licence, which year and which page it is, and a page holds a useful number of titles."""

from __future__ import annotations

import re

from stdnum import issn

from app.rendering.long_grid_pdf import render_long_grid_pdf
from tests.support.pdf_text import page_texts
from tests.support.title_lists import title_list_context, title_list_package

PACKAGE = title_list_package()
TITLE = re.compile(r"Density Journal (\d{4})")


def _issn(n: int) -> str:
    digits = f"{4000000 + n * 7919:07d}"[-7:]
    return str(issn.format(digits + issn.calc_check_digit(digits)))


def _pdf(language: str = "en", titles: int = 400) -> list[str]:
    context = title_list_context(
        [
            {
                "title": f"Density Journal {n:04d}"
                + (" of Exceedingly Long Names for Applied and Theoretical Studies" * 2)
                * (n % 50 == 0),
                "issn": _issn(n),
                "eissn": _issn(n + 9000),
                "subject": "Physics",
                "price": f"{1000 + n}.00",
            }
            for n in range(1, titles + 1)
        ],
        customer="Density Consortium",
        number="T-2027-000051",
        language=language,
        reference="L-2027-000009",
        year=2027,
    )
    return page_texts(render_long_grid_pdf(PACKAGE.path, PACKAGE.html, context))


def test_every_page_states_licence_year_and_page() -> None:
    pages = _pdf()
    for number, page in enumerate(pages, start=1):
        assert "L-2027-000009" in page, number
        assert "2027" in page.replace("T-2027", "").replace("L-2027", ""), number
        assert page.rstrip().endswith(f"Page {number} of {len(pages)}"), number
    assert re.search(r"Licence L-2027-000009 · 2027", pages[1])


def test_a_page_of_journals_holds_at_least_forty_titles_and_long_titles_wrap() -> None:
    pages = _pdf()
    counts = [len(TITLE.findall(page)) for page in pages]
    full = counts[1:-2]  # the cover and the pages the list ends on hold fewer
    assert full and min(full) >= 40, counts
    assert sum(counts) == 400
    text = "\n".join(pages)
    assert "Exceedingly Long Names" in text
    longest = max(len(line) for line in text.splitlines())
    assert longest < 200  # a long title is wrapped in its column, not run across the page


def test_the_dutch_list_says_it_in_dutch() -> None:
    pages = _pdf("nl", titles=120)
    assert "Licentie L-2027-000009 · 2027" in pages[1]
    assert pages[1].rstrip().endswith(f"Pagina 2 van {len(pages)}")
