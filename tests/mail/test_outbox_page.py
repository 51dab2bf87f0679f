"""The embedded default: no SMTP server, each message an .eml file in the storage folder,
and the outbox page where a newcomer opens the signing link a customer would get."""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from urllib.parse import urlsplit

from apiflask import APIFlask

from tests.mail.conftest import settle
from tests.support.flows import create_and_send, sign_as
from tests.web.test_pages import login


def test_the_outbox_page_shows_the_signing_link_that_works(app: APIFlask) -> None:
    create_and_send(app)
    runtime = settle(app)
    [eml] = list((runtime.settings.storage_dir / "mail").glob("*.eml"))
    message = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert "h.marsh@example.ac.uk" in str(message["To"])
    admin = login(app, "admin@example.com")
    outbox = admin.get("/admin/outbox")
    assert outbox.status_code == 200 and "sent" in outbox.text
    [view] = re.findall(r'href="(/admin/outbox/[0-9a-f-]+)"', outbox.text)
    page = admin.get(view)
    assert page.status_code == 200 and str(message["Message-ID"]) in page.text.replace(
        "&lt;", "<"
    ).replace("&gt;", ">")
    [link] = re.findall(r'href="(http://localhost/sign/[^"]+)"', page.text)
    assert sign_as(app.test_client(), link, "Helen Marsh").status_code == 200
    assert urlsplit(link).path.startswith("/sign/")


def test_the_outbox_is_for_admins(app: APIFlask) -> None:
    assert login(app, "support@example.com").get("/admin/outbox").status_code == 403
