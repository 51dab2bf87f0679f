"""Each form with the keyboard alone, in Chromium: Tab reaches every field and button of
the form with the focus showing, and the forms people use most are filled in and sent
with Tab, typing and Enter."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

from tests.browser.conftest import PASSWORD, LiveDesk
from tests.browser.test_keyboard import assert_focus_visible, focused, tab_to
from tests.conftest import WAIT, account_id, bearer
from tests.support.flows import (
    create_and_send,
    plain_quote_request,
    quote_request,
    signed_licence,
)

CONTROLS = (
    "input:not([type=hidden]):not([disabled]), select:not([disabled]), "
    "textarea:not([disabled]), button:not([disabled])"
)
MARK = """([form, controls]) => {
  document.querySelectorAll("[data-kb]").forEach(e => delete e.dataset.kb);
  const found = [...document.querySelectorAll(form)]
    .flatMap(f => [...f.querySelectorAll(controls)])
    .filter(e => e.offsetParent !== null);
  found.forEach((e, i) => { e.dataset.kb = String(i); });
  return found.length;
}"""


def every_control_by_tab(page: Page, form: str, limit: int = 250) -> None:
    """Tab from the top of the page until each visible control of `form` (a CSS selector,
    all matching forms) has had the focus, showing it each time."""
    count = page.evaluate(MARK, [form, CONTROLS])
    assert count, f"no controls in {form}"
    page.locator("body").focus()
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    reached: set[str] = set()
    for _ in range(limit):
        page.keyboard.press("Tab")
        mark, inside = page.evaluate(
            "() => [document.activeElement.dataset.kb, !document.activeElement.matches(':focus')]"
        )
        if mark is not None:
            if not inside:  # a date field's own picker button draws Chromium's focus ring
                assert_focus_visible(page)
            reached.add(mark)
            if len(reached) == count:
                return
    missing = page.evaluate(
        "seen => [...document.querySelectorAll('[data-kb]')].filter(e => !seen.includes("
        "e.dataset.kb)).map(e => e.outerHTML.slice(0, 120))",
        sorted(reached),
    )
    raise AssertionError(f"Tab never reached in {form}: {missing}; last {focused(page)}")


def sign_in_by_keyboard(page: Page, live: LiveDesk, email: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live.url}/login")
    every_control_by_tab(page, "main form")
    page.locator("#email").focus()
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live.url}/")


def test_every_form_of_the_sellers_pages_by_keyboard(page: Page, live: LiveDesk) -> None:
    app = live.app
    draft = (
        app.test_client()
        .post(
            "/api/v1/documents",
            json=plain_quote_request(app),
            headers={**bearer(app, "support@example.com"), **WAIT},
        )
        .json
    )
    sign_in_by_keyboard(page, live, "support@example.com")

    every_control_by_tab(page, "form.filters")
    tab_to(page, "#status")
    page.keyboard.type("draft")  # a select takes the typed start of an option
    tab_to(page, "form.filters button")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"status=draft"))
    expect(page.locator("#document-list")).to_contain_text(draft["number"])
    every_control_by_tab(page, "header form")

    page.goto(f"{live.url}/documents/new/licence-agreement")
    every_control_by_tab(page, "form.generated-form")
    page.goto(f"{live.url}/documents/new")
    every_control_by_tab(page, "#quote-form")

    page.goto(f"{live.url}/documents/{draft['id']}")
    every_control_by_tab(page, "main form")
    tab_to(page, "input[name='signers-0-name']")
    page.keyboard.type("Helen Marsh")
    page.keyboard.press("Tab")
    page.keyboard.type("h.marsh@example.ac.uk")
    tab_to(page, "form[action$='/send'] button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator(".flash").first).to_contain_text("Sent for signature")
    every_control_by_tab(page, "main form")  # remind and withdraw


def test_approving_and_the_back_office_forms_by_keyboard(page: Page, live: LiveDesk) -> None:
    app = live.app
    body = quote_request(account_id(live.runtime, "University"))
    quote = (
        app.test_client()
        .post(
            "/api/v1/documents", json=body, headers={**bearer(app, "support@example.com"), **WAIT}
        )
        .json
    )
    licence = signed_licence(app)
    live.wait()

    sign_in_by_keyboard(page, live, "manager@example.com")
    page.goto(f"{live.url}/approvals")
    every_control_by_tab(page, "main form")
    tab_to(page, f"textarea[id='comment-{quote['id']}']")
    page.keyboard.type("Agreed for three years")
    tab_to(page, "button[value=approve]")
    page.keyboard.press("Enter")
    expect(page.locator(".empty")).to_be_visible()

    sign_in_by_keyboard(page, live, "finance@example.com")
    page.goto(f"{live.url}/documents/{licence['id']}")
    every_control_by_tab(page, "main form")

    sign_in_by_keyboard(page, live, "legal@example.com")
    page.goto(f"{live.url}/library/clauses")
    every_control_by_tab(page, "main form")
    page.goto(f"{live.url}/library/clauses/limitation-of-liability")
    every_control_by_tab(page, "main form")

    sign_in_by_keyboard(page, live, "admin@example.com")
    page.goto(f"{live.url}/admin/api-keys")
    every_control_by_tab(page, "main form")


def test_a_customer_signs_by_keyboard(page: Page, live: LiveDesk) -> None:
    _, link = create_and_send(live.app, language="nl", currency="EUR")
    page.goto(live.url + urlsplit(link).path)
    every_control_by_tab(page, ".sign-form form")
    tab_to(page, "#typed_name")
    page.keyboard.type("Helen Marsh")
    tab_to(page, "#consent")
    page.keyboard.press("Space")
    tab_to(page, ".sign-form button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("uw handtekening is vastgelegd")
