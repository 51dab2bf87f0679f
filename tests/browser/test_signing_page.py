"""A Dutch customer whose browser is English and runs no script signs a Dutch quote: the
page is Dutch, shows the document's pages, and the plain form signs it."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import Page, Response, expect

from tests.browser.conftest import SCREENSHOTS, LiveDesk, snap
from tests.support.flows import create_and_send


def test_a_dutch_customer_signs_the_dutch_document_in_an_english_browser_without_script(
    page: Page, live: LiveDesk
) -> None:
    _, link = create_and_send(live.app, language="nl", currency="EUR")
    assert page.context.browser is not None
    context = page.context.browser.new_context(java_script_enabled=False, locale="en-GB")
    customer = context.new_page()
    problems: list[str] = []
    images: list[Response] = []
    customer.on("requestfailed", lambda request: problems.append(f"failed {request.url}"))

    def answered(response: Response) -> None:
        if response.status >= 400:
            problems.append(f"{response.status} {response.url}")
        if "/pages/" in response.url:
            images.append(response)

    customer.on("response", answered)

    customer.goto(live.url + urlsplit(link).path)
    expect(customer.locator("html")).to_have_attribute("lang", "nl")
    expect(customer.locator("h1")).to_contain_text("ondertekenen")
    pictures = customer.get_by_role("img", name=re.compile(r"^Pagina \d+ van \d+$"))
    count = pictures.count()
    assert count >= 1
    for index in range(count):
        expect(pictures.nth(index)).to_be_visible()
    assert len(images) == count
    assert all(r.status == 200 and r.header_value("content-type") == "image/png" for r in images)
    expect(customer.get_by_role("link", name="Pdf downloaden")).to_be_visible()
    expect(customer.locator("body")).to_contain_text("€")
    snap(customer, "signing-page-dutch")

    customer.set_viewport_size({"width": 390, "height": 900})
    box = pictures.first.bounding_box()
    assert box is not None and 300 < box["width"] <= 390
    customer.get_by_text("Tekst van pagina 1").click()  # a phone reads the page as text
    first_page = customer.locator(".page-text").first
    expect(first_page).to_be_visible()
    expect(first_page).to_contain_text("Offerte")
    first_page.screenshot(path=str(SCREENSHOTS / "signing-page-text-390.png"))

    customer.get_by_role("checkbox").check()
    customer.get_by_label(re.compile("Typ uw volledige naam")).fill("Helen Marsh")
    customer.get_by_role("button", name="Ondertekenen").click()
    expect(customer.locator("h1")).to_contain_text("uw handtekening is vastgelegd")
    expect(customer.locator("html")).to_have_attribute("lang", "nl")
    snap(customer, "signed-dutch")
    assert problems == []
    context.close()


def test_a_lost_visitor_gets_a_dutch_404_page_with_the_favicon(page: Page, live: LiveDesk) -> None:
    assert page.context.browser is not None
    context = page.context.browser.new_context(locale="nl-NL")
    visitor = context.new_page()
    answers: list[str] = []
    visitor.on("response", lambda response: answers.append(f"{response.status} {response.url}"))
    visitor.goto(f"{live.url}/documenten/bestaat-niet")
    expect(visitor.locator("h1")).to_have_text("Pagina niet gevonden")
    expect(visitor.locator("html")).to_have_attribute("lang", "nl")
    snap(visitor, "not-found-dutch")
    visitor.get_by_role("link", name="Naar de startpagina").click()
    expect(visitor.get_by_role("button", name=re.compile("Inloggen|Aanmelden"))).to_be_visible()
    assert f"404 {live.url}/documenten/bestaat-niet" in answers
    assert [a for a in answers if a.startswith(("4", "5")) and "bestaat-niet" not in a] == []
    context.close()
