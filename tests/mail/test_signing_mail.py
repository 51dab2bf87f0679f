"""The built-in signer's mail, read from a real SMTP server: the invitation with its
one-time link, reminders with one-click unsubscribe, the signed copy to every party
(copies included), customers in the document's language and users in their own."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit

from apiflask import APIFlask
from sqlalchemy import select, update

from app.config import PROJECT_ROOT
from app.db import utcnow
from app.entry import run
from app.mail.models import MailMessage
from app.signing.models import Envelope, Signer
from app.users.models import User
from tests.conftest import WAIT, account_id, bearer
from tests.library.test_templates import _quote_copy, _upload, _zip
from tests.mail.conftest import SmtpServer, settle
from tests.support.flows import create_and_send, plain_quote_request, sign_as

SIGNER = "h.marsh@example.ac.uk"
LINK = re.compile(r"http://localhost/sign/[A-Za-z0-9_-]+")


def _parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def _age(app: APIFlask, days: float) -> None:
    """Let `days` pass since the envelopes were sent."""
    runtime = app.extensions["contractdesk"]
    with runtime.session_factory() as session:
        for envelope in session.scalars(select(Envelope)):
            envelope.created_at -= timedelta(days=days)
        session.commit()


def _sweep(app: APIFlask) -> None:
    runtime = settle(app)
    run(runtime, "mail.remind_signers", {})
    settle(app)


def test_the_invitation_is_in_the_documents_language_and_its_link_signs(
    mail_app: APIFlask, smtp: SmtpServer
) -> None:
    document_id, _ = create_and_send(mail_app, language="nl", currency="EUR")
    runtime = settle(mail_app)
    [message] = smtp.inbox.to(SIGNER)
    assert message["Content-Language"] == "nl"
    assert "vraagt u" in str(message["Subject"])
    assert message.get_content_type() == "multipart/alternative"
    text, html = _parts(message)
    assert "Beste Helen Marsh," in text and "Beste Helen Marsh," in html
    assert "<img" not in html, "no tracking pixels, no images"
    [link] = LINK.findall(text)
    assert f'href="{link}"' in html
    with runtime.session_factory() as session:
        row = session.scalar(select(MailMessage).where(MailMessage.kind == "signing_invitation"))
        assert row is not None and row.state == "sent" and row.attempts == 1
        assert message["Message-ID"] == row.message_id
    client = mail_app.test_client()
    assert sign_as(client, link, "Helen Marsh").status_code == 200
    settle(mail_app)
    copies = [m for m in smtp.inbox.received if "Ondertekend" in str(m["Subject"])]
    assert {str(m["To"]) for m in copies} >= {f"Helen Marsh <{SIGNER}>"}
    signed = next(m for m in copies if SIGNER in str(m["To"]))
    [attachment] = list(signed.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content().startswith(b"%PDF")
    to_sender = [m for m in smtp.inbox.to("support@example.com") if "Signed" in str(m["Subject"])]
    assert len(to_sender) == 1, "the sender, in their own language (English), gets a copy"
    assert document_id


def test_a_chinese_licence_invites_in_chinese(mail_app: APIFlask, smtp: SmtpServer) -> None:
    data = json.loads(
        (PROJECT_ROOT / "contract_templates/licence-agreement/sample.json").read_text()
    )
    data.update(account=account_id(mail_app.extensions["contractdesk"], "Consortium"))
    data["language"] = "zh"
    client = mail_app.test_client()
    created = client.post(
        "/api/v1/documents",
        json={"template": "licence-agreement", "data": data},
        headers={**_support(mail_app), **WAIT},
    )
    assert created.status_code == 201, created.json
    sent = client.post(
        f"/api/v1/documents/{created.json['id']}/send",
        json={"signers": [{"name": "Li Wei", "email": "li.wei@example.cn"}]},
        headers=_support(mail_app),
    )
    assert sent.status_code == 200, sent.json
    settle(mail_app)
    [message] = smtp.inbox.to("li.wei@example.cn")
    assert message["Content-Language"] == "zh"
    assert "请您签署" in str(message["Subject"])
    text, html = _parts(message)
    assert "阅读并签署文件" in text and "阅读并签署文件" in html
    assert '<html lang="zh">' in html


def test_reminders_follow_the_schedule_carry_one_click_unsubscribe_and_stop(
    mail_app: APIFlask, smtp: SmtpServer
) -> None:
    create_and_send(mail_app)
    _sweep(mail_app)
    assert len(smtp.inbox.to(SIGNER)) == 1, "no reminder before three days"
    _age(mail_app, 3.1)
    _sweep(mail_app)
    _sweep(mail_app)
    invitation, reminder = smtp.inbox.to(SIGNER)
    assert str(reminder["Subject"]).startswith("Reminder: please sign")
    assert reminder["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = str(reminder["List-Unsubscribe"]).strip("<>")
    assert unsubscribe.startswith("http://localhost/mail/unsubscribe/")
    assert reminder["Message-ID"] != invitation["Message-ID"]
    [fresh] = LINK.findall(_parts(reminder)[0])
    client = mail_app.test_client()
    assert client.get(urlsplit(fresh).path).status_code == 200, "the reminder's link works"
    path = urlsplit(unsubscribe).path
    assert client.get(path).status_code == 200  # asks; a link checker changes nothing
    _age(mail_app, 4)
    _sweep(mail_app)
    assert len(smtp.inbox.to(SIGNER)) == 3, "the 7-day reminder"
    one_click = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 200
    runtime = mail_app.extensions["contractdesk"]
    with runtime.engine.begin() as connection:  # this envelope: a reminder every day
        connection.execute(update(Envelope).values(reminder_after_days=3, reminder_every_days=1))
    _age(mail_app, 1)
    _sweep(mail_app)
    assert len(smtp.inbox.to(SIGNER)) == 3, "no reminder after unsubscribing"


def test_no_reminder_once_signed_or_withdrawn(mail_app: APIFlask, smtp: SmtpServer) -> None:
    _, link = create_and_send(mail_app)
    assert sign_as(mail_app.test_client(), link, "Helen Marsh").status_code == 200
    document_id, _ = create_and_send(mail_app)
    voided = mail_app.test_client().post(
        f"/api/v1/documents/{document_id}/void",
        json={"reason": "Wrong contact"},
        headers=_support(mail_app),
    )
    assert voided.status_code == 200
    _age(mail_app, 8)
    _sweep(mail_app)
    reminders = [m for m in smtp.inbox.received if "Reminder" in str(m["Subject"])]
    assert reminders == []


def _support(app: APIFlask) -> dict[str, str]:
    return bearer(app, "support@example.com")


def test_the_signed_copy_goes_to_the_copies_too_each_in_their_language(
    mail_app: APIFlask, smtp: SmtpServer
) -> None:
    runtime = settle(mail_app)
    with runtime.engine.begin() as connection:  # the sender reads Chinese
        connection.execute(
            update(User).where(User.email == "support@example.com").values(language="zh")
        )
    client = mail_app.test_client()
    created = client.post(
        "/api/v1/documents",
        json=plain_quote_request(mail_app, language="nl", currency="EUR"),
        headers={**_support(mail_app), **WAIT},
    )
    sent = client.post(
        f"/api/v1/documents/{created.json['id']}/send",
        json={
            "signers": [{"name": "Helen Marsh", "email": SIGNER}],
            "carbon_copies": [{"name": "Library Office", "email": "office@example.ac.uk"}],
        },
        headers=_support(mail_app),
    )
    assert sent.status_code == 200, sent.json
    signer, office = sent.json["signers"]
    assert office["role"] == "carbon_copy" and office["signing_url"] is None, office
    settle(mail_app)
    assert smtp.inbox.to("office@example.ac.uk") == [], "a copy is not invited to sign"
    link = signer["signing_url"].removeprefix("http://localhost")
    assert sign_as(client, link, "Helen Marsh").status_code == 200
    settle(mail_app)
    [copy] = smtp.inbox.to("office@example.ac.uk")
    assert str(copy["Subject"]).startswith("Ondertekend") and copy["Content-Language"] == "nl"
    assert [a.get_content_type() for a in copy.iter_attachments()] == ["application/pdf"]
    [own] = smtp.inbox.to("support@example.com")
    assert str(own["Subject"]).startswith("已签署") and own["Content-Language"] == "zh"
    assert '<html lang="zh">' in _parts(own)[1]
    document = client.get(f"/api/v1/documents/{created.json['id']}", headers=_support(mail_app))
    assert document.json["status"] == "signed"


def test_the_signer_is_told_once_when_the_signing_request_expired(
    mail_app: APIFlask, smtp: SmtpServer
) -> None:
    _, link = create_and_send(mail_app, language="nl", currency="EUR")
    _age(mail_app, 11)
    _sweep(mail_app)  # the last reminder on the schedule (7 days), with a fresh link
    _sweep(mail_app)
    assert len(smtp.inbox.to(SIGNER)) == 2, "nothing expired while the fresh link works"
    runtime = mail_app.extensions["contractdesk"]
    with runtime.engine.begin() as connection:  # three days on, that link ran out too
        connection.execute(update(Signer).values(token_expires_at=utcnow() - timedelta(minutes=1)))
    _sweep(mail_app)
    _sweep(mail_app)
    assert len(smtp.inbox.to(SIGNER)) == 3, "the invitation, the reminder, the notice"
    expired = smtp.inbox.to(SIGNER)[-1]
    assert str(expired["Subject"]).startswith("Ondertekeningsverzoek verlopen")
    assert expired["Content-Language"] == "nl" and "List-Unsubscribe" not in expired
    text, _ = _parts(expired)
    assert "Beste Helen Marsh," in text and "Test Publisher" in text
    assert not LINK.findall(text), "no link to a request that cannot be signed"
    notices = [m for m in smtp.inbox.to("support@example.com") if "expired" in str(m["Subject"])]
    assert len(notices) == 1, [str(m["Subject"]) for m in smtp.inbox.to("support@example.com")]
    assert mail_app.test_client().get(link).status_code in {404, 410}


def test_a_template_sets_its_own_reminder_days(
    mail_app: APIFlask, smtp: SmtpServer, tmp_path: Path
) -> None:
    client = mail_app.test_client()
    folder = _quote_copy(tmp_path)
    manifest = folder / "template.yaml"
    manifest.write_text(manifest.read_text() + "signing_reminder_days: [1, 2]\n")
    version = _upload(client, bearer(mail_app, "legal@example.com"), _zip(folder))
    assert version.status_code == 201, version.json
    published = client.post(
        f"/api/v1/template-versions/{version.json['id']}/publish",
        headers=bearer(mail_app, "legal2@example.com"),
    )
    assert published.status_code == 200, published.json
    create_and_send(mail_app)
    _age(mail_app, 1.1)
    _sweep(mail_app)
    assert len(smtp.inbox.to(SIGNER)) == 2, "the template's first day, not the default third"
    _age(mail_app, 1)
    _sweep(mail_app)
    assert len(smtp.inbox.to(SIGNER)) == 3, "and its second"


def test_a_template_with_nonsense_reminder_days_is_refused(
    mail_app: APIFlask, tmp_path: Path
) -> None:
    folder = _quote_copy(tmp_path)
    manifest = folder / "template.yaml"
    manifest.write_text(manifest.read_text() + "signing_reminder_days: [0, soon]\n")
    answer = _upload(mail_app.test_client(), bearer(mail_app, "legal@example.com"), _zip(folder))
    assert answer.status_code == 422, answer.json
    assert "signing_reminder_days" in answer.json["detail"]
