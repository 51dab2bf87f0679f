"""The pages the journeys do not pass through, each photographed at 1280 and 390 pixels
for people to look at (build/screenshots), and each checked to answer and to scroll down,
never sideways, on a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import LiveDesk, log_in, snap

PAGES = {
    "admin@example.com": {
        "new-document-choice": "/documents/new/",
        "licence-form": "/documents/new/licence-agreement",
        "report-renewals": "/reports/renewals",
        "report-order-to-bill": "/reports/order-to-bill",
        "admin-api-keys": "/admin/api-keys",
    },
    "legal@example.com": {
        "library-clauses": "/library/clauses",
        "library-templates": "/library/templates",
    },
}


def _fits_a_phone(page: Page) -> None:
    width = page.viewport_size["width"]
    page.set_viewport_size({"width": 390, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url
    page.set_viewport_size({"width": width, "height": 800})


def test_the_login_page(page: Page, live: LiveDesk) -> None:
    answer = page.goto(f"{live.url}/login")
    assert answer is not None and answer.ok
    _fits_a_phone(page)
    snap(page, "login")


@pytest.mark.parametrize("email", PAGES)
def test_the_other_pages(page: Page, live: LiveDesk, email: str) -> None:
    log_in(page, live, email)
    for name, path in PAGES[email].items():
        answer = page.goto(live.url + path)
        assert answer is not None and answer.ok, path
        _fits_a_phone(page)
        snap(page, name)
