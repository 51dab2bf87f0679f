"""The pages under their Content-Security-Policy in Chromium: the main pages, the quote
form's scripts (a new product row, live totals, the PDF preview), the API documentation
(Swagger UI) and a form post all work, and the browser reports no violation. The signing
page shows in a frame on an embedding origin and signs there; elsewhere it is refused."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from tests.browser.conftest import LiveDesk, log_in
from tests.conftest import build_app, make_settings
from tests.support.flows import create_and_send
from tests.support.ports import free_port

WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " " + e.blockedURI);
});
"""
PAGES = [
    "/",
    "/approvals/matrix",
    "/library/clauses",
    "/library/clauses/limitation-of-liability",
    "/library/templates",
    "/reports/renewals",
    "/reports/approvals",
    "/reports/order-to-bill",
    "/finance/webhooks",
    "/finance/invoices",
    "/admin/api-keys",
    "/documents/new/",
    "/documents/new/licence-agreement",
]


def _watch(page: Page) -> list[str]:
    seen: list[str] = []
    page.add_init_script(WATCH)
    page.on(
        "console",
        lambda m: seen.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return seen


def _violations(page: Page, seen: list[str]) -> list[str]:
    return [*seen, *page.evaluate("window.__violations || []")]


@dataclass
class Crm:
    """Another site on this machine (http://localhost:<port>) whose page frames a link."""

    origin: str
    body: str = ""


@pytest.fixture
def crm() -> Iterator[Crm]:
    port = free_port()
    site = Crm(f"http://localhost:{port}")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = site.body.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield site
    server.shutdown()
    server.server_close()


@pytest.fixture
def embedding(
    postgres_url: str, tmp_path: Path, instance_dir: Path, crm: Crm
) -> Iterator[LiveDesk]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = make_settings(
        postgres_url, tmp_path, instance_dir, public_url=url, embed_origins=(crm.origin,)
    )
    app = build_app(settings)
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield LiveDesk(app, url)
    server.shutdown()
    app.extensions["contractdesk"].close()


def test_the_main_pages_work_with_no_policy_violation(page: Page, live: LiveDesk) -> None:
    seen = _watch(page)
    log_in(page, live, "admin@example.com")  # a form post under form-action 'self'
    for path in PAGES:
        answer = page.goto(live.url + path)
        assert answer is not None and answer.status == 200, path
        assert _violations(page, seen) == [], path

    page.goto(f"{live.url}/documents/new")
    rows = page.locator("#lines tbody tr")
    before = rows.count()
    page.get_by_role("button", name="Add a product").click()
    expect(rows).to_have_count(before + 1)
    page.get_by_label("Find an account").fill("northfield")
    page.get_by_label("Currency").select_option("GBP")
    page.get_by_label("Product 1").select_option("JNL-PHYS")
    expect(page.locator("#live-totals")).to_contain_text("£")
    page.get_by_role("button", name="Preview PDF").click()
    expect(page.locator("#pdf-frame")).to_have_attribute("src", re.compile("^blob:"))
    page.get_by_role("button", name="Generate quote").click()
    expect(page.locator("h1")).to_contain_text("Q-")
    assert _violations(page, seen) == []

    page.goto(f"{live.url}/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Contract Desk API")
    expect(page.locator(".opblock").first).to_be_visible()
    page.locator(".opblock-summary").first.click()
    expect(page.locator(".opblock-body").first).to_be_visible()
    assert _violations(page, seen) == []


def _frame(page: Page, crm: Crm, link: str) -> None:
    crm.body = (
        f'<!doctype html><title>CRM</title><iframe id="sign" src="{link}" '
        'width="900" height="700"></iframe>'
    )
    page.goto(f"{crm.origin}/contract")


def test_a_customer_signs_in_a_frame_on_the_embedding_origin(
    page: Page, embedding: LiveDesk, crm: Crm
) -> None:
    seen = _watch(page)
    _frame(page, crm, create_and_send(embedding.app)[1])
    frame = page.frame_locator("#sign")
    expect(frame.locator("h1")).to_contain_text("Sign")
    frame.get_by_role("checkbox").check()
    frame.get_by_label(re.compile("Type your full name")).fill("Helen Marsh")
    frame.get_by_role("button", name="Sign").click()
    expect(frame.locator("h1")).to_contain_text("signature is recorded")
    assert [v for v in seen if "frame-ancestors" in v] == []


def test_the_signing_page_refuses_a_frame_elsewhere(page: Page, live: LiveDesk, crm: Crm) -> None:
    seen = _watch(page)
    _frame(page, crm, create_and_send(live.app)[1])
    expect(page.locator("#sign")).to_be_attached()
    page.wait_for_timeout(1000)
    assert any("frame-ancestors 'none'" in line for line in seen), seen
    expect(page.frame_locator("#sign").locator("body")).not_to_contain_text("full name")
