"""Browser tests: the service served on a real port, Debian's Chromium driven by
Playwright, and a screenshot of each page at 1280 and 390 pixels kept under
build/screenshots for people to look at."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from apiflask import APIFlask
from playwright.sync_api import Page
from werkzeug.serving import make_server

from app.config import PROJECT_ROOT
from tests.conftest import PASSWORD, build_app, make_settings, missing_service
from tests.support.ports import free_port

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
SCREENSHOTS = PROJECT_ROOT / "build" / "screenshots"
WIDTHS = (1280, 390)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not CHROMIUM.exists():
        missing_service(f"Chromium is not installed at {CHROMIUM} (make test installs it)")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": FLAGS}


@dataclass
class LiveDesk:
    app: APIFlask
    url: str

    @property
    def runtime(self) -> Any:
        return self.app.extensions["contractdesk"]

    def wait(self) -> None:
        self.runtime.jobs.wait_idle()


@pytest.fixture
def live(postgres_url: str, tmp_path: Path, instance_dir: Path) -> Iterator[LiveDesk]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = build_app(make_settings(postgres_url, tmp_path, instance_dir, public_url=url))
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield LiveDesk(app, url)
    server.shutdown()
    app.extensions["contractdesk"].close()


def log_in(page: Page, live: LiveDesk, email: str) -> None:
    page.wait_for_load_state()  # the last page's own requests answered before its cookie goes
    page.context.clear_cookies()
    page.goto(f"{live.url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live.url}/")


def snap(page: Page, name: str) -> None:
    """The page as it is now, at both widths, for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width, height = page.viewport_size["width"], page.viewport_size["height"]
    for size in WIDTHS:
        page.set_viewport_size({"width": size, "height": 900})
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{size}.png"), full_page=True)
    page.set_viewport_size({"width": width, "height": height})
