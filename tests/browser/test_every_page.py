"""Every page in Chromium, as the role that uses it meets it, in English and in Dutch (a
browser asking for Dutch, a user who never chose a language): axe-core finds no serious or
critical violation, the console shows no error and no request fails, and a Dutch page, with
what its scripts wrote, shows no English the catalogue translates."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, Response, expect

from tests.browser.conftest import PASSWORD, LiveDesk, snap
from tests.conftest import WAIT, WebhookReceiver, account_id, bearer
from tests.support.flows import (
    create_and_send,
    plain_quote_request,
    quote_request,
    signed_licence,
)
from tests.web.test_i18n_pages import english_left, translated_strings

BROWSER_LOCALES = {"en": "en-GB", "nl": "nl-NL"}
AXE = Axe()
SERIOUS = {"serious", "critical"}


@dataclass
class Watch:
    """What went wrong in a page's life: console errors, script errors, failed requests
    and error answers, less the one error status a visit expects for its page."""

    problems: list[str] = field(default_factory=list)
    expected: set[int] = field(default_factory=set)
    answered: set[int] = field(default_factory=set)

    def attach(self, page: Page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)

    def _failed(self, request: Request) -> None:
        if request.failure == "net::ERR_ABORTED":
            return  # cut short by the next page's navigation (a late favicon, say)
        self.problems.append(f"failed: {request.url} {request.failure}")

    def _response(self, response: Response) -> None:
        if response.status < 400:
            return
        if response.request.is_navigation_request() and response.status in self.expected:
            self.answered.add(response.status)
            return
        self.problems.append(f"{response.status} from {response.url}")

    def _console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        if any(f"status of {status} " in message.text for status in self.answered):
            return  # Chromium's own line for the page's expected status
        self.problems.append(f"console: {message.text}")


@dataclass
class Visitor:
    page: Page
    watch: Watch
    live: LiveDesk
    language: str
    english: list[str]
    checked: list[str] = field(default_factory=list)

    def visit(self, path: str, status: int = 200) -> None:
        self.watch.expected = {status} if status >= 400 else set()
        answer = self.page.goto(self.live.url + path)
        assert answer is not None and answer.status == status, (path, answer and answer.status)
        self.check(path)

    def check(self, name: str) -> None:
        """The page as it is now: accessible, quiet, and in the visitor's language."""
        results = AXE.run(self.page)
        serious = [
            f"{v['id']} ({v['impact']}): {v['help']} at "
            + ", ".join(str(n["target"]) for n in v["nodes"][:3])
            for v in results.response["violations"]
            if v["impact"] in SERIOUS
        ]
        assert not serious, (name, self.language, serious)
        if self.language == "nl":
            assert self.page.locator("html").get_attribute("lang") == "nl", name
            left = english_left(self.page.content(), self.english)
            assert not left, (name, left)
        assert not self.watch.problems, (name, self.language, self.watch.problems)
        self.checked.append(name)

    def log_in(self, email: str) -> None:
        self.page.context.clear_cookies()
        self.visit("/login")
        self.page.locator("#email").fill(email)
        self.page.locator("#password").fill(PASSWORD)
        self.page.locator("button[type=submit]").click()
        self.page.wait_for_url(f"{self.live.url}/")


@dataclass(frozen=True)
class Desk:
    quote: str
    licence: str
    endpoint: str
    signing_links: dict[str, str]
    """A quote in each language sent for signature: the customer's link to it."""


@pytest.fixture
def desk(live: LiveDesk, webhook_receiver: WebhookReceiver) -> Desk:
    """Documents in the states the pages show: a quote waiting for a manager, a signed
    licence (invoiced, so the endpoint has deliveries)."""
    app = live.app
    client = app.test_client()
    endpoint = client.post(
        "/api/v1/webhook-endpoints",
        json={"url": webhook_receiver.url, "events": ["invoice.trigger", "document.created"]},
        headers=bearer(app, "finance@example.com"),
    ).json
    body = quote_request(account_id(live.runtime, "University"))
    quote = client.post(
        "/api/v1/documents", json=body, headers={**bearer(app, "support@example.com"), **WAIT}
    ).json
    licence = signed_licence(app)
    links = {
        language: create_and_send(app, language=language, currency="EUR")[1]
        for language in BROWSER_LOCALES
    }
    live.wait()
    return Desk(quote["id"], licence["id"], endpoint["id"], links)


@pytest.fixture(params=sorted(BROWSER_LOCALES))
def visitor(request: pytest.FixtureRequest, browser: Browser, live: LiveDesk) -> Iterator[Visitor]:
    language = str(request.param)
    context = browser.new_context(locale=BROWSER_LOCALES[language])
    page = context.new_page()
    watch = Watch()
    watch.attach(page)
    yield Visitor(page, watch, live, language, translated_strings() if language == "nl" else [])
    context.close()


def _fill_quote_form(page: Page, live: LiveDesk) -> None:
    page.locator("#account").select_option(account_id(live.runtime, "University"))
    page.locator("#currency").select_option("GBP")
    page.locator("#lines-0-sku").select_option("JNL-PHYS")
    page.locator("#lines-0-discount_percent").fill("15")
    expect(page.locator("#live-totals [data-complete=true]")).to_be_visible()


def test_every_page_is_accessible_quiet_and_in_the_browsers_language(
    visitor: Visitor, desk: Desk, live: LiveDesk
) -> None:
    page = visitor.page
    visitor.log_in("support@example.com")
    visitor.check("/ (support)")
    for path in (
        "/?scope=team",
        "/documents/new/",
        "/documents/new/licence-agreement",
        f"/documents/{desk.quote}",
        "/library/clauses",
        "/library/clauses/limitation-of-liability",
        "/library/templates",
        "/approvals/matrix",
        "/reports/renewals",
        "/reports/order-to-bill",
    ):
        visitor.visit(path)

    visitor.visit("/documents/new")
    page.locator("#discount_percent").fill("150")  # half filled: the totals say what is missing
    expect(page.locator("#live-totals [data-complete=false]")).to_be_visible()
    visitor.check("quote form, half filled")
    page.locator("#discount_percent").fill("0")
    _fill_quote_form(page, live)
    expect(page.locator("#live-totals .needs-approval")).to_be_visible()
    visitor.check("quote form, live totals")
    page.locator("#preview-pdf").click()
    expect(page.locator("#pdf-frame")).to_have_attribute("src", re.compile("^blob:"))
    visitor.check("quote form, PDF preview")

    visitor.watch.expected = {422}
    page.locator("#discount_percent").fill("150")
    page.locator("#account").select_option("")
    page.locator("button[value=generate]").click()
    expect(page.locator(".error-summary")).to_be_focused()
    visitor.check("quote form with mistakes (422)")
    snap(page, f"quote-form-errors-{visitor.language}")

    visitor.visit("/documents/new/licence-agreement")
    visitor.watch.expected = {422}
    page.locator("button[type=submit]").last.click()
    expect(page.locator(".error-summary")).to_be_visible()
    visitor.check("licence form with mistakes (422)")

    visitor.log_in("manager@example.com")
    visitor.visit("/approvals")
    expect(page.locator(".approval-item")).to_have_count(1)

    visitor.log_in("finance@example.com")
    visitor.visit(f"/documents/{desk.licence}")
    visitor.visit(f"/documents/{desk.licence}/as-amended")
    visitor.visit("/finance/invoices")
    visitor.visit("/finance/webhooks")
    visitor.visit("/reports/approvals")
    visitor.visit(f"/finance/webhooks/{desk.endpoint}")

    visitor.log_in("legal@example.com")
    visitor.visit("/library/clauses/limitation-of-liability")

    visitor.log_in("admin@example.com")
    visitor.visit("/admin/api-keys")
    visitor.visit("/no-such-page", status=404)

    page.context.clear_cookies()  # the customer, who never signs in
    visitor.visit(urlsplit(desk.signing_links[visitor.language]).path)
    page.locator("input[type=checkbox]").check()
    page.locator("input[name=typed_name]").fill("Helen Marsh")
    page.locator("form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    visitor.check("signed")
    assert len(visitor.checked) >= 28


def test_a_dutch_form_with_mistakes_reads_dutch_beside_each_field(
    browser: Browser, live: LiveDesk
) -> None:
    context = browser.new_context(locale="nl-NL")
    page = context.new_page()
    visitor = Visitor(page, Watch(), live, "nl", translated_strings())
    visitor.watch.attach(page)
    visitor.log_in("support@example.com")
    visitor.visit("/documents/new")
    page.locator("#discount_percent").fill("150")
    visitor.watch.expected = {422}
    page.get_by_role("button", name="Offerte maken").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name="Klant")).to_be_visible()
    expect(page.locator("#account-error")).to_have_text("Kies de klant uit de lijst.")
    expect(page.locator("#discount_percent-error")).to_have_text(
        "Vul een percentage van 0 tot 100 in."
    )
    expect(page.locator("#discount_percent")).to_have_value("150")
    expect(page.locator("#discount_percent")).to_have_attribute("aria-invalid", "true")
    summary.get_by_role("link", name="Korting op het totaal %").click()
    expect(page.locator("#discount_percent")).to_be_focused()
    visitor.check("Dutch quote form with mistakes")
    context.close()


def test_the_back_office_forms_with_mistakes_read_dutch_beside_each_field(
    browser: Browser, live: LiveDesk
) -> None:
    """The document page's, the library's and the admin's forms answer a mistake as the
    quote form does, in Chromium: the summary focused, its links to the fields, the message
    beside each, what was typed kept, and the page accessible and Dutch throughout."""
    app = live.app
    quote = (
        app.test_client()
        .post(
            "/api/v1/documents",
            json=plain_quote_request(app),
            headers={**bearer(app, "support@example.com"), **WAIT},
        )
        .json
    )
    context = browser.new_context(locale="nl-NL")
    page = context.new_page()
    visitor = Visitor(page, Watch(), live, "nl", translated_strings())
    visitor.watch.attach(page)
    visitor.log_in("support@example.com")
    visitor.visit(f"/documents/{quote['id']}")
    page.locator("#signers-0-name").fill("Helen Marsh")
    page.locator("#signers-0-email").fill("helen.example.org")
    visitor.watch.expected = {422}
    page.get_by_role("button", name="Ter ondertekening versturen").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(page.locator("#signers-0-email-error")).to_have_text(
        "Vul een e-mailadres in, bijv. naam@voorbeeld.nl."
    )
    expect(page.locator("#signers-0-email")).to_have_value("helen.example.org")
    expect(page.locator("#signers-0-name")).to_have_value("Helen Marsh")
    summary.get_by_role("link", name="Ondertekenaar 1: e-mailadres").click()
    expect(page.locator("#signers-0-email")).to_be_focused()
    visitor.check("Dutch send form with mistakes")

    visitor.log_in("legal@example.com")
    visitor.visit("/library/clauses/limitation-of-liability")
    page.locator("#body").fill("{{ seller.name ")
    visitor.watch.expected = {422}
    page.get_by_role("button", name="Concept beginnen").click()
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.locator("#body")).to_have_attribute("aria-invalid", "true")
    visitor.check("Dutch clause draft with mistakes")

    visitor.log_in("admin@example.com")
    visitor.visit("/admin/api-keys")
    page.locator("#key-name").fill("ERP")
    page.locator("#key-user").select_option("support@example.com")
    page.locator("input[value='webhooks:manage']").check()
    visitor.watch.expected = {422}
    page.get_by_role("button", name="Sleutel maken").click()
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.locator("#key-name")).to_have_value("ERP")
    visitor.check("Dutch API key form with mistakes")
    context.close()
