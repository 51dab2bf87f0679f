"""The pages for people on a keyboard or a screen reader: every field has a name, ids are
unique (a label finds its field by id), a link skips the menu, the focus shows, and a
form with mistakes lists them at the top, each linked to its field, and marks the fields."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from apiflask import APIFlask

from app.config import PROJECT_ROOT
from tests.conftest import csrf_token
from tests.web.test_access_matrix import quote_id  # noqa: F401 - a fixture
from tests.web.test_i18n_pages import log_in, walk_pages

UNNAMED_INPUTS = {"hidden", "submit", "button", "reset", "image"}
FIELDS = {"input", "select", "textarea"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    in_label: bool
    text: str = ""


@dataclass
class Elements(HTMLParser):
    """The elements of a page, each knowing whether it sits inside a <label>."""

    found: list[Element] = field(default_factory=list)
    _labels: int = 0
    _open: list[Element] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, self._labels > 0)
        self.found.append(element)
        if tag == "label":
            self._labels += 1
        if tag not in {"input", "br", "meta", "link", "img", "hr"}:
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self._labels -= 1
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index].tag == tag:
                del self._open[index:]
                return

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.text += data


def elements(html: str) -> list[Element]:
    parser = Elements()
    parser.feed(html)
    return parser.found


def unnamed_fields(html: str) -> list[str]:
    found = elements(html)
    ids = {e.attrs["id"] for e in found if "id" in e.attrs}
    labelled = {
        e.attrs["for"] for e in found if e.tag == "label" and e.attrs.get("for") and e.text.strip()
    }
    missing = []
    for e in found:
        if e.tag not in FIELDS or e.attrs.get("type") in UNNAMED_INPUTS:
            continue
        by = e.attrs.get("aria-labelledby", "").split()
        named = (
            e.in_label
            or e.attrs.get("id") in labelled
            or e.attrs.get("aria-label", "").strip()
            or (by and all(i in ids for i in by))
        )
        if not named:
            missing.append(f"<{e.tag} name={e.attrs.get('name')!r} id={e.attrs.get('id')!r}>")
    return missing


def duplicate_ids(html: str) -> list[str]:
    ids = [e.attrs["id"] for e in elements(html) if "id" in e.attrs]
    return sorted({i for i in ids if ids.count(i) > 1})


def test_every_field_on_every_page_has_a_name_and_every_id_is_unique(
    app: APIFlask,
    quote_id: str,  # noqa: F811
) -> None:
    pages = walk_pages(app, quote_id, "en").pages
    assert len(pages) > 40
    assert {
        name: unnamed_fields(html) for name, html in pages.items() if unnamed_fields(html)
    } == {}
    assert {name: duplicate_ids(html) for name, html in pages.items() if duplicate_ids(html)} == {}


def test_the_first_thing_a_tab_reaches_skips_to_the_content(app: APIFlask) -> None:
    client = app.test_client()
    log_in(client, "support@example.com", "nl")
    found = elements(client.get("/").text)
    first = next(e for e in found if e.tag in {"a", "button", "input", "select", "textarea"})
    assert first.tag == "a" and first.attrs["href"] == "#content"
    assert first.text.strip() == "Naar de inhoud"
    assert any(e.tag == "main" and e.attrs.get("id") == "content" for e in found)


def test_the_focus_is_drawn_on_everything_that_takes_it() -> None:
    css = re.sub(
        r"/\*.*?\*/", "", (PROJECT_ROOT / "app/web/static/app.css").read_text(), flags=re.S
    )
    rules = re.findall(r"([^{}]*:focus-visible[^{}]*)\{([^}]*)\}", css)
    outlined = {
        s.strip().split(":")[0]
        for selectors, body in rules
        if re.search(r"outline:\s*\d+px solid", body)
        for s in selectors.split(",")
    }
    assert {"a", "button", "input", "select", "textarea", "summary"} <= outlined


def test_a_form_with_mistakes_lists_them_at_the_top_and_marks_each_field(app: APIFlask) -> None:
    client = app.test_client()
    log_in(client, "support@example.com", "nl")
    form = client.get("/documents/new")
    answer = client.post(
        "/documents/new",
        data={
            "csrf_token": csrf_token(form.text),
            "currency": "EUR",
            "lines-0-sku": "JNL-PHYS",
            "lines-0-quantity": "many",
            "action": "generate",
        },
    )
    assert answer.status_code == 422
    found = elements(answer.text)
    summary = next(e for e in found if "error-summary" in e.attrs.get("class", ""))
    assert summary.attrs["role"] == "alert" and "autofocus" in summary.attrs
    assert "Verbeter de gemarkeerde velden hieronder." in summary.text
    by_id = {e.attrs["id"]: e for e in found if "id" in e.attrs}
    linked = [
        e.attrs["href"][1:] for e in found if e.tag == "a" and e.attrs.get("href", "")[:1] == "#"
    ]
    fields = [name for name in linked if name != "content"]
    assert {"account", "lines-0-quantity"} <= set(fields)
    for name in fields:
        target = by_id[name]
        assert target.attrs.get("aria-invalid") == "true", name
        message = by_id[target.attrs["aria-describedby"].split()[-1]]
        assert message.text.strip(), name
