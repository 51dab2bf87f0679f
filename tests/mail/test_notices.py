"""Notices to users: a quote about to expire to its owner, a renewal due to the licence's
owner, a failing or disabled webhook endpoint to finance, a clause or template waiting
for review to legal; each once, in the user's language."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from pathlib import Path

from apiflask import APIFlask
from sqlalchemy import select, update

from app.billing.delivery import attempt, disable_endpoint
from app.billing.models import WebhookDelivery, WebhookEndpoint
from app.db import utcnow
from app.documents import validity
from app.documents.models import Document
from app.entry import run
from app.mail import reminders
from app.mail.events import RENEWAL_DUE
from app.mail.services import set_opt_out
from app.renewals.services import sweep
from app.users.models import User
from tests.conftest import WAIT, WebhookReceiver, bearer
from tests.library.test_clause_workflow import NEW_TERMS, _draft
from tests.library.test_templates import _quote_copy, _upload, _zip
from tests.mail.conftest import SmtpServer, settle
from tests.renewals.test_renewals import _signed_licence
from tests.support.flows import plain_quote_request


def _subjects(smtp: SmtpServer, address: str) -> list[str]:
    return [str(m["Subject"]).strip() for m in smtp.inbox.to(address)]


def test_the_owner_is_warned_once_of_a_quote_about_to_expire_in_their_language(
    mail_app: APIFlask, smtp: SmtpServer, webhook_receiver: WebhookReceiver
) -> None:
    registered = mail_app.test_client().post(
        "/api/v1/webhook-endpoints",
        json={"url": webhook_receiver.url, "events": ["document.expiring"]},
        headers=bearer(mail_app, "finance@example.com"),
    )
    assert registered.status_code == 201, registered.json
    runtime = settle(mail_app)
    with runtime.engine.begin() as connection:
        connection.execute(
            update(User).where(User.email == "support@example.com").values(language="nl")
        )
    created = mail_app.test_client().post(
        "/api/v1/documents",
        json=plain_quote_request(mail_app),
        headers={**bearer(mail_app, "support@example.com"), **WAIT},
    )
    with runtime.session_factory() as session:
        quote = session.get(Document, uuid.UUID(created.json["id"]))
        assert quote is not None
        until = validity.expires_on(quote)
    assert until is not None
    early = until - timedelta(days=30)
    assert reminders.warn_expiring_quotes(runtime.unit_of_work(), today=early) == 0
    soon = until - timedelta(days=3)
    reminders.warn_expiring_quotes(runtime.unit_of_work(), today=soon)
    reminders.warn_expiring_quotes(runtime.unit_of_work(), today=soon + timedelta(days=1))
    settle(mail_app)
    [warning] = [s for s in _subjects(smtp, "support@example.com") if "Offerte" in s]
    assert quote.number in warning and "verloopt op" in warning
    webhook_receiver.wait_for(1)
    [event] = webhook_receiver.received
    assert event.json["type"] == "document.expiring"
    assert event.json["data"]["expires_on"] == until.isoformat()


def test_the_licence_owner_is_reminded_of_a_renewal_due_at_90_60_and_30_days(
    mail_app: APIFlask, smtp: SmtpServer
) -> None:
    runtime = settle(mail_app)
    _signed_licence(mail_app)  # ends 31 December 2029
    made = sweep(runtime.unit_of_work(), today=date(2029, 10, 2))  # 90 days
    assert len(made.renewals) == 1 and made.reminders == 1, made.problems
    assert sweep(runtime.unit_of_work(), today=date(2029, 10, 15)).reminders == 0
    assert sweep(runtime.unit_of_work(), today=date(2029, 11, 1)).reminders == 1  # 60 days
    sweep(runtime.unit_of_work(), today=date(2029, 11, 2))
    assert sweep(runtime.unit_of_work(), today=date(2029, 12, 1)).reminders == 1  # 30 days
    settle(mail_app)
    due = [s for s in _subjects(smtp, "support@example.com") if s.startswith("Renewal due")]
    assert len(due) == 3, _subjects(smtp, "support@example.com")
    bodies = [m.get_body(("plain",)) for m in smtp.inbox.to("support@example.com")]
    texts = " ".join(b.get_content() for b in bodies if b is not None)
    assert all(f"ends in {days} days" in texts for days in (90, 60, 30)), texts


def test_finance_hears_of_a_disabled_webhook_endpoint(mail_app: APIFlask, smtp: SmtpServer) -> None:
    endpoint = mail_app.test_client().post(
        "/api/v1/webhook-endpoints",
        json={"url": "http://127.0.0.1:9/erp", "events": ["invoice.trigger"]},
        headers=bearer(mail_app, "finance@example.com"),
    )
    assert endpoint.status_code == 201, endpoint.json
    runtime = settle(mail_app)
    uow = runtime.unit_of_work()
    with uow:
        found = uow.session.get(WebhookEndpoint, uuid.UUID(endpoint.json["id"]))
        assert found is not None
        disable_endpoint(uow, found, "410 Gone from the ERP")
        uow.commit()
    settle(mail_app)
    [message] = smtp.inbox.to("finance@example.com")
    assert str(message["Subject"]) == "Webhook endpoint disabled: http://127.0.0.1:9/erp"
    body = message.get_body(("plain",))
    assert body is not None and "410 Gone from the ERP" in body.get_content()
    assert f"http://localhost/finance/webhooks/{found.id}" in body.get_content()


def test_legal_hears_of_a_clause_waiting_for_review_once(
    mail_app: APIFlask, smtp: SmtpServer
) -> None:
    client = mail_app.test_client()
    lee = bearer(mail_app, "legal@example.com")
    draft = _draft(client, lee, body=NEW_TERMS)
    assert draft.status_code == 201, draft.json
    client.post(f"/api/v1/clause-versions/{draft.json['id']}/submit", headers=lee)
    runtime = settle(mail_app)
    run(runtime, "mail.review_waiting", {})
    run(runtime, "mail.review_waiting", {})
    settle(mail_app)
    [asked] = smtp.inbox.to("legal2@example.com")
    assert str(asked["Subject"]).startswith("Awaiting your review: payment-terms")
    assert smtp.inbox.to("legal@example.com") == [], "not the author"


def test_finance_hears_once_of_an_endpoint_that_keeps_failing(
    mail_app: APIFlask, smtp: SmtpServer
) -> None:
    endpoint = mail_app.test_client().post(
        "/api/v1/webhook-endpoints",
        json={"url": "http://127.0.0.1:9/erp", "events": ["document.created"]},
        headers=bearer(mail_app, "finance@example.com"),
    )
    assert endpoint.status_code == 201, endpoint.json
    mail_app.test_client().post(
        "/api/v1/documents",
        json=plain_quote_request(mail_app),
        headers={**bearer(mail_app, "support@example.com"), **WAIT},
    )
    runtime = settle(mail_app)  # the first attempt: nobody listens on port 9
    with runtime.session_factory() as session:
        [delivery_id] = session.scalars(select(WebhookDelivery.id)).all()
    later = utcnow()
    for _ in range(8):
        later += timedelta(hours=1)
        assert attempt(runtime.unit_of_work(), delivery_id, now=later) == "pending"
    settle(mail_app)
    [warning] = smtp.inbox.to("finance@example.com")
    assert str(warning["Subject"]) == "Webhook endpoint failing: http://127.0.0.1:9/erp"
    body = warning.get_body(("plain",))
    assert body is not None and "ConnectError" in body.get_content()
    assert f"http://localhost/finance/webhooks/{endpoint.json['id']}" in body.get_content()


def test_legal_hears_of_a_template_version_waiting_to_be_published(
    mail_app: APIFlask, smtp: SmtpServer, tmp_path: Path
) -> None:
    folder = _quote_copy(tmp_path)
    html = folder / "quote.html"
    html.write_text(html.read_text() + "<!-- wording reviewed -->\n")
    uploaded = _upload(mail_app.test_client(), bearer(mail_app, "legal@example.com"), _zip(folder))
    assert uploaded.status_code == 201, uploaded.json
    runtime = settle(mail_app)
    run(runtime, "mail.review_waiting", {})
    run(runtime, "mail.review_waiting", {})
    settle(mail_app)
    [asked] = smtp.inbox.to("legal2@example.com")
    assert str(asked["Subject"]) == "Awaiting your review: template quote v2"
    assert smtp.inbox.to("legal@example.com") == [], "not the uploader"


def test_a_user_who_opted_out_of_renewal_reminders_gets_none_by_mail(
    mail_app: APIFlask, smtp: SmtpServer
) -> None:
    runtime = settle(mail_app)
    uow = runtime.unit_of_work()
    with uow:
        set_opt_out(uow.session, "support@example.com", RENEWAL_DUE, out=True)
        uow.commit()
    _signed_licence(mail_app)
    made = sweep(runtime.unit_of_work(), today=date(2029, 10, 2))
    assert made.reminders == 1, "still told on their pages"
    settle(mail_app)
    assert [s for s in _subjects(smtp, "support@example.com") if "Renewal" in s] == []
