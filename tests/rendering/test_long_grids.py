"""Any document whose longest grid runs over pages goes through the long-grid renderer: a
licence agreement with 300 titles in its schedule, created through the API, is stored as
a PDF that reads like the same licence laid out by WeasyPrint in one piece: the same pages
breaking at the same titles, every title once, "Page N of M" throughout, the schedules
after the titles in place, and the drawn pages' words where WeasyPrint puts them."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest
from apiflask import APIFlask
from stdnum import issn

from app.config import PROJECT_ROOT
from app.documents import assembling, records
from app.documents.marking import version_marks
from app.library.templates import package_for, published_version
from app.rendering.pdf import render_pdf
from tests.conftest import WAIT, account_id, bearer
from tests.support.pdf_text import page_texts, words_on

TITLES = 300
TITLE = re.compile(r"Long Schedule Journal (\d{4})\b")


def _licence_data(app: APIFlask) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (PROJECT_ROOT / "contract_templates/licence-agreement/sample.json").read_text()
    )
    data["account"] = account_id(app.extensions["contractdesk"], "Consortium")
    data["titles"] = []
    for n in range(1, TITLES + 1):
        digits = f"{4000000 + n * 7919:07d}"
        data["titles"].append(
            {
                "title": f"Long Schedule Journal {n:04d}"
                + (": Letters in Applied Research" if n % 7 == 0 else ""),
                "issn": issn.format(digits + issn.calc_check_digit(digits)),
                "subject": "Physics",
                "price": f"{1000 + n}.00",
            }
        )
    return data


@pytest.fixture
def licence_pdfs(app: APIFlask) -> tuple[bytes, bytes]:
    """The PDF stored for a licence created through the API, and the same licence laid
    out by WeasyPrint in one piece."""
    client = app.test_client()
    created = client.post(
        "/api/v1/documents",
        json={"template": "licence-agreement", "data": _licence_data(app)},
        headers={**bearer(app, "support@example.com"), **WAIT},
    )
    assert created.status_code == 201, created.json
    stored = client.get(
        f"/api/v1/documents/{created.json['id']}/files/pdf",
        headers=bearer(app, "support@example.com"),
    )
    assert stored.status_code == 200
    uow = app.extensions["contractdesk"].unit_of_work()
    context = assembling.assemble_stored(uow, uuid.UUID(created.json["id"])).context
    with uow:
        package = package_for(
            published_version(uow.session, "licence-agreement"), uow.settings.template_cache_dir
        )
        document = records.get_document(uow.session, uuid.UUID(created.json["id"]))
        marks = version_marks(document, 1, uow.settings)
    return stored.data, render_pdf(package.path, package.html, context, marks)


def _first_titles(pages: list[str]) -> list[str | None]:
    return [match.group(1) if (match := TITLE.search(page)) else None for page in pages]


def test_a_licence_with_a_long_title_schedule_reads_like_one_piece(
    licence_pdfs: tuple[bytes, bytes],
) -> None:
    stored, whole = licence_pdfs
    pages, expected = page_texts(stored), page_texts(whole)

    assert len(pages) == len(expected) > 10
    first_titles = _first_titles(pages)
    assert first_titles == _first_titles(expected)
    assert TITLE.findall("\n".join(pages)) == [f"{n:04d}" for n in range(1, TITLES + 1)]
    for number, page in enumerate(pages, start=1):
        assert page.rstrip().endswith(f"Page {number} of {len(pages)}"), number
    text = "\n".join(pages)
    assert text.count("Schedule 3 ·") == 1
    assert text.index("Long Schedule Journal 0300") < text.index("Schedule 3 ·")

    drawn = [n for n, title in enumerate(first_titles, start=1) if title][-2]
    words, expected_words = words_on(stored, drawn), words_on(whole, drawn)
    assert [w for w, _, _ in words] == [w for w, _, _ in expected_words]
    for (word, x, y), (_, ex, ey) in zip(words, expected_words, strict=True):
        assert abs(x - ex) <= 1 and abs(y - ey) <= 0.1, word
