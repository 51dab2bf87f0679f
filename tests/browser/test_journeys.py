"""The journeys people make through the pages, in Chromium: a quote from the form to a
signature, approved on the way; each page photographed at 1280 and 390 pixels."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveDesk, log_in, snap
from tests.conftest import account_id, bearer
from tests.support.flows import create_and_send


def _sign(page: Page, link: str, *, photograph: bool = False) -> None:
    """The customer, in a browser of their own, reads and signs."""
    assert page.context.browser is not None
    customer = page.context.browser.new_page()
    customer.goto(link)
    if photograph:
        snap(customer, "signing-page")
    customer.get_by_label(re.compile("name", re.I)).first.fill("Helen Marsh")
    customer.get_by_role("checkbox").check()
    customer.get_by_role("button", name=re.compile("Sign", re.I)).click()
    expect(customer.locator("body")).to_contain_text(re.compile("signed", re.I))
    customer.close()


def test_a_discounted_quote_from_the_form_to_signed_and_invoiced(
    page: Page, live: LiveDesk
) -> None:
    log_in(page, live, "support@example.com")
    snap(page, "dashboard-support")
    page.get_by_role("link", name="New quote").first.click()
    page.get_by_label("Find an account").fill("northfield")
    expect(page.get_by_label("Account", exact=True)).to_have_value(
        account_id(live.runtime, "University")
    )
    page.get_by_label("Currency").select_option("GBP")
    page.get_by_label("Product 1").select_option("JNL-PHYS")
    page.locator("#lines-0-discount_percent").fill("15")

    live_totals = page.locator("#live-totals")
    expect(live_totals).to_contain_text(
        "Needs approval by a manager: effective discount 15 % on the whole document, above 10 %"
    )
    expect(live_totals).to_contain_text("£")
    page.get_by_role("button", name="Preview PDF").click()
    expect(page.locator("#pdf-frame")).to_have_attribute("src", re.compile("^blob:"))
    snap(page, "quote-form")
    page.get_by_role("button", name="Generate quote").click()
    expect(page.locator("h1")).to_contain_text("Q-")
    number = page.locator("h1").inner_text().split()[0]
    expect(page.locator(".steps")).to_contain_text("approved")
    snap(page, "quote-waiting-for-approval")

    log_in(page, live, "manager@example.com")
    page.get_by_role("link", name="Approvals").click()
    item = page.locator(".approval-item", has_text=number)
    expect(item).to_contain_text("effective discount 15 % on the whole document, above 10 %")
    expect(item).to_contain_text("Effective discount")
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

    _sign(page, link, photograph=True)
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


def test_legal_redrafts_a_clause_and_a_second_lawyer_approves_it_after_the_redline(
    page: Page, live: LiveDesk
) -> None:
    log_in(page, live, "legal@example.com")
    page.get_by_role("link", name="Clause library").click()
    page.get_by_label("Search keys, titles and text").fill("liability")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Limitation of liability").click()
    snap(page, "library-clause")
    page.get_by_label("Text (Markdown)").fill(
        "Neither party excludes or limits its liability for death or personal injury.\n\n"
        "The total liability of each party is limited to the fees paid in the eighteen "
        "months before the claim."
    )
    page.get_by_role("button", name="Start draft").click()
    expect(page.locator("h1")).to_contain_text("draft")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator("h1")).to_contain_text("in review")
    draft_url = page.url

    log_in(page, live, "legal2@example.com")
    page.goto(draft_url)
    redline = page.locator(".redline")
    expect(redline.locator("ins", has_text="eighteen")).to_have_count(1)
    expect(redline.locator("del").first).to_be_visible()
    snap(page, "library-redline")
    page.get_by_label("Comment").fill("Eighteen months agreed with the insurers")
    page.get_by_role("button", name="Approve").click()
    expect(page.locator("h1")).to_contain_text("approved")
    expect(page.locator("body")).to_contain_text("approved by Robin Counsel")


def test_finance_replays_a_delivery_the_erp_missed(page: Page, live: LiveDesk) -> None:
    endpoint = (
        live.app.test_client()
        .post(
            "/api/v1/webhook-endpoints",
            json={"url": "http://127.0.0.1:9/erp-is-down", "events": ["invoice.trigger"]},
            headers=bearer(live.app, "finance@example.com"),
        )
        .json
    )
    _, link = create_and_send(live.app)
    _sign(page, live.url + urlsplit(link).path)
    live.wait()

    log_in(page, live, "finance@example.com")
    page.get_by_role("link", name="Webhooks").click()
    expect(page.locator("tr", has_text="erp-is-down")).to_contain_text("failing")
    snap(page, "finance-webhooks")
    page.get_by_role("link", name=endpoint["url"]).click()
    expect(page.locator(".attempts")).to_contain_text("no answer")
    snap(page, "finance-deliveries")
    page.get_by_role("button", name="Replay").first.click()
    expect(page.locator(".flash")).to_contain_text("Replayed with the same webhook-id.")
    live.wait()
    page.reload()
    expect(page.locator(".attempts li")).to_have_count(2)
