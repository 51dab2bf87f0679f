"""What the sender of a customer's message sees: the Reply-To of their team, and a message
the server refused for good shown on their own mail page."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import update

from app.users.models import User
from tests.conftest import build_app, make_settings
from tests.mail.conftest import SmtpServer, settle
from tests.support.flows import create_and_send
from tests.web.test_pages import login


def test_replies_go_to_the_senders_team_and_a_bounce_is_shown_to_the_sender(
    postgres_url: str, tmp_path: Path, instance_dir: Path, smtp: SmtpServer
) -> None:
    app = build_app(
        make_settings(
            postgres_url,
            tmp_path,
            instance_dir,
            smtp_url=smtp.url,
            mail_reply_to="sales=sales@example.com,*=desk@example.com",
        )
    )
    try:
        runtime = settle(app)
        with runtime.engine.begin() as connection:
            connection.execute(
                update(User).where(User.email == "support@example.com").values(team="sales")
            )
        smtp.inbox.refuse.add("h.marsh@example.ac.uk")
        create_and_send(app)
        create_and_send(app, language="nl", currency="EUR")
        settle(app)
        assert smtp.inbox.received == [], "the server refused both"
        page = login(app, "support@example.com").get("/account/mail")
        assert page.status_code == 200
        assert "h.marsh@example.ac.uk" in page.text and "550" in page.text
        smtp.inbox.refuse.clear()
        create_and_send(app)
        settle(app)
        [invitation] = smtp.inbox.received
        assert str(invitation["Reply-To"]) == "sales@example.com"
        with runtime.engine.begin() as connection:
            connection.execute(
                update(User).where(User.email == "support@example.com").values(team="legal")
            )
        create_and_send(app)
        settle(app)
        assert str(smtp.inbox.received[-1]["Reply-To"]) == "desk@example.com", "the rest"
    finally:
        app.extensions["contractdesk"].close()
