"""The pages with the keyboard alone, in Chromium: sign in, skip the menu, make a quote
with Tab, typing and Enter, switch to Dutch, and see where the focus is all along. The
Dutch document and library pages are photographed at 1280 and 390 pixels."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import PASSWORD, LiveDesk, snap

FOCUS = """() => {
  const e = document.activeElement;
  const s = getComputedStyle(e);
  return {id: e.id, tag: e.tagName, text: (e.textContent || '').trim(),
          outline: s.outlineStyle === 'none' ? 'none' : s.outlineWidth + ' ' + s.outlineStyle,
          shadow: s.boxShadow};
}"""


def focused(page: Page) -> dict[str, str]:
    answer: dict[str, str] = page.evaluate(FOCUS)
    return answer


def assert_focus_visible(page: Page) -> None:
    now = focused(page)
    assert now["outline"] != "none" or now["shadow"] != "none", now


def tab_to(page: Page, wanted: str, limit: int = 60) -> None:
    """Press Tab until the focus is on the element `wanted` (a CSS selector) shows."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", wanted):
            assert_focus_visible(page)
            return
    raise AssertionError(f"Tab never reached {wanted}; last {focused(page)}")


def test_a_quote_made_with_the_keyboard_alone(page: Page, live: LiveDesk) -> None:
    page.goto(f"{live.url}/login")
    # The form starts where the typing does (the browser applies autofocus after load).
    expect(page.locator("#email")).to_be_focused()
    page.keyboard.type("support@example.com")
    page.keyboard.press("Tab")
    assert_focus_visible(page)
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live.url}/")

    page.keyboard.press("Tab")
    skip = focused(page)
    assert skip["tag"] == "A" and skip["text"] == "Skip to content"
    expect(page.locator(".skip-link")).to_be_in_viewport()
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "content"

    tab_to(page, "main a.button[href$='/documents/new']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/documents/new$"))

    tab_to(page, "#account-search")
    page.keyboard.type("northfield")
    expect(page.get_by_label("Account", exact=True)).not_to_have_value("")
    tab_to(page, "#currency")
    page.keyboard.type("GBP")
    tab_to(page, "#lines-0-sku")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#lines-0-sku")).not_to_have_value("")
    tab_to(page, "#lines-0-quantity")
    page.keyboard.press("Control+A")
    page.keyboard.type("2")
    expect(page.locator("#live-totals")).to_contain_text("£")
    tab_to(page, "button[value=generate]")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("Q-")
    expect(page.locator(".flash")).to_contain_text("Quote generated.")
    document_url = page.url

    tab_to(page, "#ui-language")
    # from "the browser's language" past English to Dutch; nothing happens until the button
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.url == document_url
    tab_to(page, ".language button")
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.locator("h2", has_text="Ondertekening")).to_be_visible()
    snap(page, "document-nl")

    page.goto(f"{live.url}/library/clauses")
    expect(page.locator("h1")).to_have_text("Clausulebibliotheek")
    snap(page, "library-nl")
    page.goto(f"{live.url}/library/clauses/limitation-of-liability")
    snap(page, "library-clause-nl")


def test_nothing_is_wider_than_a_phone(page: Page, live: LiveDesk) -> None:
    """At 390 pixels the pages scroll down, never sideways."""
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{live.url}/login")
    page.get_by_label("Email").fill("legal@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live.url}/")
    for path in ("/", "/library/clauses", "/library/clauses/limitation-of-liability"):
        page.goto(live.url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (path, width)
