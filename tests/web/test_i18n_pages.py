"""The pages in Dutch, all of them: a Dutch user (or a customer whose browser asks for
Dutch) sees no English sentence, label or button where the catalogue has a Dutch one,
the catalogue has a finished translation for every string the code and the templates
mark, and no template writes English outside the catalogue.

What is not the interface stays as it is: names, products, clause titles and text,
machine codes. The pages mark those `translate="no"` (as they should for a browser's
translator too), and only those are left out of the check."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from apiflask import APIFlask
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from flask import template_rendered
from flask.testing import FlaskClient
from jinja2 import Environment
from sqlalchemy import select

from app.config import PROJECT_ROOT
from app.instance_secret import secret_key_for
from app.mail import unsubscribe
from app.mail.models import MailMessage
from tests.conftest import PASSWORD, WAIT, bearer, csrf_token
from tests.support.flows import create_and_send, quote_request, signed_licence
from tests.web.test_access_matrix import EMAILS, PAGES, quote_id  # noqa: F401 - a fixture

CATALOGUE = PROJECT_ROOT / "app/translations/nl/LC_MESSAGES/messages.po"
TEMPLATES = PROJECT_ROOT / "app/web/templates"
DUTCH = {"Accept-Language": "nl-NL,nl;q=0.9"}
SHOWN_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "data-label"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
NOT_TEXT = {"script", "style", "textarea"}  # code, and what someone typed


@dataclass
class PageText(HTMLParser):
    """What a reader sees of a page, element by element: text and the attributes shown or
    read out, leaving out whatever sits inside `translate="no"`."""

    texts: list[str] = field(default_factory=list)
    _open: list[tuple[str, bool]] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    @property
    def _skipping(self) -> bool:
        return any(skip for _, skip in self._open)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        skip = values.get("translate") == "no" or tag in NOT_TEXT
        if not self._skipping and not skip:
            self.texts += [v for k, v in attrs if k in SHOWN_ATTRIBUTES and v]
            if (
                tag == "input"
                and values.get("type") in {"submit", "button"}
                and values.get("value")
            ):
                self.texts.append(str(values["value"]))
        if tag not in VOID:
            self._open.append((tag, skip))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index][0] == tag:
                del self._open[index:]
                return

    def handle_data(self, data: str) -> None:
        if data.strip() and not self._skipping:
            self.texts.append(data)


def page_text(html: str) -> str:
    parser = PageText()
    parser.feed(html)
    return "\n".join(" ".join(text.split()) for text in parser.texts)


def _pattern(msgid: str) -> re.Pattern[str]:
    """A catalogue string as it reads on a page: placeholders stand for anything, markup
    is gone, and it must stand as words of its own."""
    text = " ".join(re.sub(r"<[^>]+>", " ", msgid).split())
    parts = re.split(r"(%\([a-z_]+\)[sd]|%%)", text)
    body = "".join(
        "[^\n]+?"
        if part.startswith("%(")
        else "%"
        if part == "%%"
        else re.escape(part).replace(r"\ ", r"\s+")
        for part in parts
    )
    # a word inside an address or a code (support@example.com, prices-and-taxes) is not one
    start = r"(?<![\w@./:-])" if re.match(r"\w", text) else ""
    end = r"(?![\w@/-]|\.\w)" if re.search(r"\w$", text) else ""
    return re.compile(start + body + end)


def translated_strings() -> list[str]:
    """Every English string of the catalogue whose Dutch differs from it."""
    with CATALOGUE.open("rb") as po:
        catalogue = read_po(po)
    english = []
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        english += [i for i, s in zip(ids, strings, strict=False) if s and s != i]
    return english


ENGLISH_ONLY_WORDS = re.compile(
    r"(?<![\w@./:-])(the|and|with|by|for|to|this|that|these|which|your|you|not|from|above|"
    r"below|than|when|where|has|have|will|are|needs?|please|must|should|cannot|been)"
    r"(?![\w@/-]|\.\w)",
    re.I,
)
"""Words of English that Dutch never writes: one of them in a Dutch page's text is English
that no catalogue string caught (a sentence built in code, say)."""


def english_left(html: str, english: list[str]) -> list[str]:
    text = page_text(html)
    found = [msgid for msgid in english if _pattern(msgid).search(text)]
    found += [line for line in text.splitlines() if ENGLISH_ONLY_WORDS.search(line)]
    return found


def log_in(client: FlaskClient, email: str, language: str) -> None:
    page = client.get("/login")
    client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": csrf_token(page.text)},
    )
    client.post(
        "/account/language",
        data={"csrf_token": csrf_token(client.get("/").text), "language": language, "next": "/"},
    )


@dataclass
class Walk:
    """Every page fetched, by who saw it, and every template the walk rendered."""

    pages: dict[str, str] = field(default_factory=dict)
    templates: set[str] = field(default_factory=set)


def walk_pages(app: APIFlask, quote: str, language: str) -> Walk:
    """Each role's pages from the access matrix, and the pages beyond it that only exist
    once there is something to show: a quote waiting for a manager, a licence as amended, a
    clause draft, a webhook endpoint, the customer's signing pages, an error page."""
    walk = Walk()
    headers = DUTCH if language == "nl" else {}

    def record(sender: Any, template: Any, context: Any, **extra: Any) -> None:
        walk.templates.add(str(template.name))

    waiting = app.test_client().post(
        "/api/v1/documents",
        json=quote_request(str(uuid.UUID(quote_request_account(app)))),
        headers={**bearer(app, "support@example.com"), **WAIT},
    )
    licence = signed_licence(app)
    endpoint = app.test_client().post(
        "/api/v1/webhook-endpoints",
        json={"url": "http://127.0.0.1:9/erp", "events": ["invoice.trigger"]},
        headers=bearer(app, "finance@example.com"),
    )
    # the customer's pages speak the document's language: a Dutch quote for the Dutch walk
    _, link = create_and_send(
        app, **({"language": "nl", "currency": "EUR"} if language == "nl" else {})
    )

    with template_rendered.connected_to(record, app):
        for role, email in EMAILS.items():
            client = app.test_client()
            log_in(client, email, language)
            for path, allowed in PAGES.items():
                answer = client.get(path.format(quote=quote), headers=headers)
                if role in allowed and answer.mimetype == "text/html":
                    walk.pages[f"{role} {path}"] = answer.text
            extra = {
                "manager": [f"/documents/{waiting.json['id']}", "/approvals"],
                "support": [
                    f"/documents/{licence['id']}",
                    f"/documents/{licence['id']}/as-amended",
                    "/library/templates",
                    "/reports/order-to-bill",
                    "/admin/api-keys",  # refused: the error page
                    "/account/password",
                    "/account/two-factor",
                ],
                "finance": [f"/finance/webhooks/{endpoint.json['id']}", "/finance/webhooks"],
                "admin": [f"/admin/outbox/{_a_message(app)}"],
            }.get(role, [])
            for path in extra:
                walk.pages[f"{role} {path}"] = client.get(path, headers=headers).text
            if role == "legal":
                clause = client.get("/library/clauses/limitation-of-liability", headers=headers)
                draft = client.post(
                    "/library/clauses/limitation-of-liability/drafts",
                    data={
                        "csrf_token": csrf_token(clause.text),
                        "language": "en",
                        "title": "Limitation of liability",
                        "body": "Each party's liability is limited to the fees paid.",
                    },
                    headers=headers,
                    follow_redirects=True,
                )
                walk.pages["legal clause draft"] = draft.text
            if role == "support":
                document = client.get(f"/documents/{quote}", headers=headers)
                sent = client.post(
                    f"/documents/{quote}/send",
                    data={
                        "csrf_token": csrf_token(document.text),
                        "signers-0-name": "Sanne de Vries",
                        "signers-0-email": "s.devries@example.nl",
                    },
                    headers=headers,
                    follow_redirects=True,
                )
                walk.pages["support sent for signature"] = sent.text
                signed_out = client.post(
                    "/logout",
                    data={"csrf_token": csrf_token(sent.text)},
                    headers=headers,
                    follow_redirects=True,
                )
                walk.pages["signed out"] = signed_out.text

        customer = app.test_client()
        signing = customer.get(link, headers=headers)
        walk.pages["customer signing page"] = signing.text
        unticked = customer.post(
            link,
            data={"typed_name": "Helen Marsh"},
            headers=headers,
        )
        walk.pages["customer signing page with an error"] = unticked.text
        signed = customer.post(
            link,
            data={"typed_name": "Helen Marsh", "consent": "yes"},
            headers=headers,
        )
        walk.pages["customer signed"] = signed.text
        walk.pages["customer link used again"] = customer.get(link, headers=headers).text
        walk.pages["customer unsubscribes"] = customer.get(_unsubscribe(app), headers=headers).text
    return walk


def _a_message(app: APIFlask) -> str:
    """The id of a message in the outbox (the walk's invitation)."""
    with app.extensions["contractdesk"].session_factory() as session:
        return str(session.scalars(select(MailMessage.id)).first())


def _unsubscribe(app: APIFlask) -> str:
    """The one-click unsubscribe page a reminder links to."""
    secret = secret_key_for(app.extensions["contractdesk"].settings)
    return "/mail/unsubscribe/" + unsubscribe.token_for(secret, "a@example.org", "signing_reminder")


def quote_request_account(app: APIFlask) -> str:
    from tests.conftest import account_id

    return account_id(app.extensions["contractdesk"], "University")


def test_a_dutch_user_sees_every_page_in_dutch(app: APIFlask, quote_id: str) -> None:  # noqa: F811
    english = translated_strings()
    walk = walk_pages(app, quote_id, "nl")

    left = {name: english_left(html, english) for name, html in walk.pages.items()}
    assert {name: found for name, found in left.items() if found} == {}
    assert all('<html lang="nl">' in html for html in walk.pages.values())

    shown = {path.name for path in TEMPLATES.rglob("*.html")}
    rendered = {Path(name).name for name in walk.templates}
    layouts = {"base.html", "sign_base.html"}
    layouts.add("api_docs.html")  # Swagger UI for CRM developers: English, as the API is
    parts = {name for name in shown if name.startswith("_")}  # macros and parts of pages
    assert shown - rendered - layouts - parts == set(), "pages the walk missed"


def test_the_check_finds_english_where_dutch_exists() -> None:
    english = translated_strings()
    page = (
        '<html><body><h1>Webhook deliveries</h1><p aria-label="Skip to content">'
        "1 jan. 2027 to <strong>31 dec. 2030</strong></p>"
        '<p translate="no">Limitation of liability: the Total</p></body></html>'
    )
    assert set(english_left(page, english)) == {
        "Webhook deliveries",
        "Skip to content",
        "%(start)s to <strong>%(end)s</strong>",
        "1 jan. 2027 to",  # the English word alone says so too
    }
    built_in_code = "<p>korting 15 % above 10 %</p><p translate='no'>Notes for the file</p>"
    assert english_left(built_in_code, english) == ["korting 15 % above 10 %"]


def test_the_catalogue_has_a_finished_dutch_string_for_everything_the_code_marks() -> None:
    with CATALOGUE.open("rb") as po:
        catalogue = read_po(po)
    unfinished = [
        message.id
        for message in catalogue
        if message.id
        and (
            message.fuzzy
            or not all(message.string if isinstance(message.string, tuple) else [message.string])
        )
    ]
    assert unfinished == []

    method_map, options_map = parse_mapping_cfg((PROJECT_ROOT / "babel.cfg").open())
    marked = {
        found[2] if isinstance(found[2], str) else found[2][0]
        for found in extract_from_dir(str(PROJECT_ROOT), method_map, options_map)
    }
    in_catalogue = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue if m.id}
    assert marked - in_catalogue == set(), "run pybabel extract and update"


def test_each_string_is_in_the_catalogue_once() -> None:
    """Babel keeps the last of two entries for one string, but msgfmt and translators'
    tools refuse the file; one entry per string (and context)."""
    seen: set[tuple[str | None, str]] = set()
    repeated = []
    entry = re.compile(r'^(msgctxt|msgid) "(.*)"$')
    context: str | None = None
    lines = CATALOGUE.read_text().splitlines()
    for number, line in enumerate(lines):
        found = entry.match(line)
        if not found:
            continue
        if found[1] == "msgctxt":
            context = found[2]
            continue
        text = found[2]
        for following in lines[number + 1 :]:
            if not following.startswith('"'):
                break
            text += following[1:-1]
        if text and (context, text) in seen:
            repeated.append(text)
        seen.add((context, text))
        context = None
    assert repeated == []


LITERALS_ALLOWED = {"Contract Desk", "English", "Nederlands", "PDF", "ISSN", "eISSN", "SHA-256"}
LITERALS_ALLOWED |= {"CSV", "DOCX", "XLSX", "UTC", "ms", "webhook-id"}


def _template_literals(source: str) -> Iterator[str]:
    """The English a template writes without the catalogue: text and shown attributes
    outside `{{ }}` and `{% %}`, and strings printed as they are (`{{ x or 'never' }}`)."""
    skeleton, last = [], ""
    for _, kind, value in Environment().lex(source):
        if kind == "data":
            skeleton.append(value)
        elif kind in {"variable_begin", "block_begin"}:
            skeleton.append("§")
        elif kind == "string" and last in {"variable_begin", "if", "else", "or", "~"}:
            written = "".join(skeleton)
            in_text = written.rfind(">") >= written.rfind("<")
            if in_text and re.search(r"[A-Za-z]{2}", value) and '"' not in value:
                yield value
        if kind not in {"whitespace"}:
            last = value if kind == "name" else kind
    parser = PageText()
    parser.feed("".join(skeleton))
    for text in parser.texts:
        for piece in text.split("§"):
            words = " ".join(piece.strip(" ·—–:;,.()").split())
            markup = '"' in words  # attributes a macro writes out
            if re.search(r"[A-Za-z]{2}", words) and not markup and words not in LITERALS_ALLOWED:
                yield words


@pytest.mark.parametrize(
    "template", sorted(str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html"))
)
def test_no_template_writes_english_outside_the_catalogue(template: str) -> None:
    assert list(_template_literals((TEMPLATES / template).read_text())) == []
