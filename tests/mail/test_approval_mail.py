"""Approval mail: a request to everyone who may decide, the decision to the submitter."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from apiflask import APIFlask

from tests.conftest import WAIT, account_id, bearer
from tests.mail.conftest import SmtpServer, settle
from tests.support.flows import quote_request
from tests.web.test_pages import login


def test_the_deciders_are_asked_and_the_submitter_hears_the_decision(
    mail_app: APIFlask, smtp: SmtpServer
) -> None:
    body = quote_request(account_id(mail_app.extensions["contractdesk"], "University"))
    created = mail_app.test_client().post(
        "/api/v1/documents", json=body, headers={**bearer(mail_app, "support@example.com"), **WAIT}
    )
    assert created.status_code == 201, created.json
    assert created.json["status"] == "pending_approval"
    settle(mail_app)
    asked = {str(m["To"]) for m in smtp.inbox.received if "Approval needed" in str(m["Subject"])}
    assert "Morgan Manager <manager@example.com>" in asked
    assert not any("support@example.com" in a for a in asked), "not the submitter"
    [request] = smtp.inbox.to("manager@example.com")
    text = request.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "http://localhost/documents/" in text, text
    [link] = re.findall(r"http://localhost/documents/[0-9a-f-]+", text)
    manager = login(mail_app, "manager@example.com")
    assert manager.get(urlsplit(link).path).status_code == 200, "the link opens the decision"
    decided = mail_app.test_client().post(
        f"/api/v1/documents/{created.json['id']}/approvals",
        json={"decision": "approve", "comment": "Fine for a consortium."},
        headers=bearer(mail_app, "manager@example.com"),
    )
    assert decided.status_code == 201, decided.json
    settle(mail_app)
    [decision] = [
        m for m in smtp.inbox.to("support@example.com") if "Approved" in str(m["Subject"])
    ]
    assert "Morgan Manager approved" in decision.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def test_a_user_who_opted_out_gets_no_approval_requests(
    mail_app: APIFlask, smtp: SmtpServer
) -> None:
    from tests.conftest import csrf_token

    manager = login(mail_app, "manager@example.com")
    page = manager.get("/account/mail")
    assert page.status_code == 200
    kept = ["approval_decision", "signed_copy"]
    saved = manager.post("/account/mail", data={"csrf_token": csrf_token(page.text), "kinds": kept})
    assert saved.status_code == 302
    body = quote_request(account_id(mail_app.extensions["contractdesk"], "University"))
    mail_app.test_client().post(
        "/api/v1/documents", json=body, headers={**bearer(mail_app, "support@example.com"), **WAIT}
    )
    settle(mail_app)
    assert smtp.inbox.to("manager@example.com") == []
    assert smtp.inbox.to("manager2@example.com") != []
