"""The journeys people make through the pages, in Chromium: a quote from the form to a
signature, approved on the way; each page photographed at 1280 and 390 pixels."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveDesk, log_in, snap


def test_a_discounted_quote_from_the_form_to_signed_and_invoiced(
    page: Page, live: LiveDesk
) -> None:
    log_in(page, live, "support@example.com")
    snap(page, "dashboard-support")
    page.get_by_role("link", name="New quote").first.click()
    page.get_by_label("Account").select_option(label="University of Northfield Library (GB)")
    page.get_by_label("Currency").select_option("GBP")
    page.get_by_label("Product 1").select_option("JNL-PHYS")
    page.locator("#lines-0-discount_percent").fill("15")

    live_totals = page.locator("#live-totals")
    expect(live_totals).to_contain_text("Needs approval by a manager: discount 15 % above 10 %")
    expect(live_totals).to_contain_text("£")
    snap(page, "quote-form")
    page.get_by_role("button", name="Generate quote").click()
    expect(page.locator("h1")).to_contain_text("Q-")
    number = page.locator("h1").inner_text().split()[0]
    expect(page.locator(".steps")).to_contain_text("approved")
    snap(page, "quote-waiting-for-approval")

    log_in(page, live, "manager@example.com")
    page.get_by_role("link", name="Approvals").click()
    item = page.locator(".approval-item", has_text=number)
    expect(item).to_contain_text("discount 15 % above 10 %")
    expect(item).to_contain_text("Deepest discount")
    snap(page, "approval-queue")
    item.get_by_label(f"Comment on {number}").fill("Agreed for a three-year relationship")
    item.get_by_role("button", name=f"Approve {number}").click()
    expect(page.locator(".empty")).to_contain_text("Nothing waits for you")

    log_in(page, live, "support@example.com")
    page.get_by_role("link", name=number).first.click()
    page.get_by_label("Name").first.fill("Helen Marsh")
    page.get_by_label("Email").first.fill("h.marsh@example.ac.uk")
    page.get_by_role("button", name="Send for signature").click()
    link = page.locator(".flash a.mono").first.get_attribute("href")
    assert link and link.startswith(live.url)
    snap(page, "quote-sent")

    customer = page.context.browser.new_page() if page.context.browser else page
    customer.goto(link)
    snap(customer, "signing-page")
    customer.get_by_label(re.compile("name", re.I)).first.fill("Helen Marsh")
    customer.get_by_role("checkbox").check()
    customer.get_by_role("button", name=re.compile("Sign", re.I)).click()
    expect(customer.locator("body")).to_contain_text(re.compile("signed", re.I))
    customer.close()
    live.wait()

    page.goto(f"{live.url}/")
    signed = page.locator("#recently-signed")
    expect(signed).to_contain_text(number)
    expect(signed.locator(".status.invoiced")).to_have_count(1)
    snap(page, "dashboard-after-signature")
    page.get_by_role("link", name=number).first.click()
    for step in ("created", "approved", "sent", "viewed", "signed", "invoiced"):
        expect(page.locator(f".step.done:has-text('{step}')")).to_have_count(1)
    snap(page, "quote-signed")
