"""The document form generated from each template's data schema, filled in and sent the
way a browser sends it."""

from __future__ import annotations

import io
from html.parser import HTMLParser

from apiflask import APIFlask
from pypdf import PdfReader

from tests.conftest import account_id
from tests.web.test_pages import login


class FormReader(HTMLParser):
    """What a browser would send for the page's form: inputs with their values, the
    selected option of each select, checked boxes, textareas."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name:
            if a.get("type") == "checkbox":
                if "checked" in a:
                    self.fields[name] = a.get("value") or "on"
            else:
                self.fields[name] = a.get("value") or ""
        elif tag == "select" and name:
            self._select = name
            self.fields.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.fields[self._select] = a.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.fields[self._textarea] += data


def form_of(page: str) -> dict[str, str]:
    reader = FormReader()
    reader.feed(page)
    return reader.fields


def test_support_creates_a_licence_from_the_generated_form(app: APIFlask) -> None:
    support = login(app, "support@example.com")
    choice = support.get("/documents/new/")
    for title in ("Quote", "Licence agreement", "Amendment to a licence agreement", "Title list"):
        assert title in choice.text

    page = support.get("/documents/new/licence-agreement?sample=1")
    assert page.status_code == 200
    fields = form_of(page.text)
    assert fields["term.start"] == "2027-01-01" and fields["term.years"] == "3"
    assert fields["titles.11.issn"] == "1407-5830"
    assert fields["perpetual_access"] == "yes"
    assert fields["titles.12.title"] == ""  # blank rows to add more
    fields["account"] = account_id(app.extensions["contractdesk"], "Consortium")
    fields["language"] = "nl"

    created = support.post("/documents/new/licence-agreement", data=fields)
    assert created.status_code == 302, created.text
    document_page = support.get(created.headers["Location"])
    assert "Licence" in document_page.text
    app.extensions["contractdesk"].jobs.wait_idle()  # the files render after the request
    pdf_link = created.headers["Location"] + "/files/pdf"
    pdf = PdfReader(io.BytesIO(support.get(pdf_link).data))
    text = "".join("".join(p.extract_text().split()) for p in pdf.pages)
    assert "Licentieovereenkomst" in text and "AlgebraandNumberTheoryReports" in text


def test_a_bad_field_is_marked_beside_it_and_nothing_is_made(app: APIFlask) -> None:
    support = login(app, "support@example.com")
    fields = form_of(support.get("/documents/new/title-list?sample=1").text)
    fields["account"] = account_id(app.extensions["contractdesk"], "Consortium")
    fields["titles.3.issn"] = "0028-0837"
    answer = support.post("/documents/new/title-list", data=fields)
    assert answer.status_code == 422
    assert (
        'id="titles.3.issn-error"' in answer.text
        and "Enter an ISSN of eight characters, e.g. 0028-0836." in answer.text
    )
    assert 'value="0028-0837"' in answer.text  # what was typed stays
