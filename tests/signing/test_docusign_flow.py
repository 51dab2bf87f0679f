"""Signing through DocuSign, end to end: the real SDK over HTTPS to the emulator, Connect
events posted with real HMAC headers to the service running on a port, the ERP receiver
at the end."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from pypdf import PdfReader
from sqlalchemy import select, update

from app.db import utcnow
from app.entry import run
from app.signing.models import Envelope
from tests.conftest import WAIT, WebhookReceiver, bearer, row_counts
from tests.support.docusign_desk import KEYS, Desk, docusign_desk
from tests.support.docusign_emulator import DocuSignEmulator
from tests.support.flows import plain_quote_request


@pytest.fixture
def desk(
    postgres_url: str, tmp_path: Path, instance_dir: Path, docusign: DocuSignEmulator
) -> Iterator[Desk]:
    with docusign_desk(docusign, postgres_url, tmp_path, instance_dir) as desk:
        yield desk


def _send(desk: Desk, document_id: str) -> Any:
    answer = desk.app.test_client().post(
        f"/api/v1/documents/{document_id}/send",
        json={
            "signers": [
                {"name": "Helen Marsh", "email": "h.marsh@example.ac.uk", "routing_order": 1},
                {"name": "Pat Publisher", "email": "pat@publisher.example", "routing_order": 2},
            ],
            "carbon_copies": [
                {"name": "Library Office", "email": "office@example.ac.uk", "routing_order": 3}
            ],
        },
        headers=bearer(desk.app, "support@example.com"),
    )
    assert answer.status_code == 200, answer.json
    desk.wait()
    return answer


def _document(desk: Desk, document_id: str) -> Any:
    return (
        desk.app.test_client()
        .get(f"/api/v1/documents/{document_id}", headers=bearer(desk.app, "support@example.com"))
        .json
    )


def _envelope_ref(desk: Desk, document_id: str) -> str:
    uow = desk.runtime.unit_of_work()
    with uow:
        ref = uow.session.scalar(
            select(Envelope.provider_ref).where(Envelope.document_id == document_id)
        )
    assert ref
    return str(ref)


def _created(desk: Desk) -> str:
    client = desk.app.test_client()
    doc = client.post(
        "/api/v1/documents",
        json=plain_quote_request(desk.app),
        headers={**bearer(desk.app, "support@example.com"), **WAIT},
    ).json
    return str(doc["id"])


def test_a_quote_is_signed_through_docusign_and_invoiced_once(
    desk: Desk, webhook_receiver: WebhookReceiver
) -> None:
    client = desk.app.test_client()
    client.post(
        "/api/v1/webhook-endpoints",
        json={"url": webhook_receiver.url, "events": ["invoice.trigger"]},
        headers=bearer(desk.app, "finance@example.com"),
    )
    document_id = _created(desk)
    calls_before = desk.docusign.state.calls.copy()
    sent = _send(desk, document_id)
    assert sent.json["signers"][0]["signing_url"] is None  # DocuSign writes to the signers
    assert _document(desk, document_id)["status"] == "sent"

    envelope = desk.docusign.state.envelopes[_envelope_ref(desk, document_id)]
    definition = envelope.definition
    pdf = client.get(
        f"/api/v1/documents/{document_id}/files/pdf",
        headers=bearer(desk.app, "support@example.com"),
    ).data
    assert base64.b64decode(definition["documents"][0]["documentBase64"]) == pdf
    signers = definition["recipients"]["signers"]
    assert [(s["name"], s["routingOrder"]) for s in signers] == [
        ("Helen Marsh", "1"),
        ("Pat Publisher", "2"),
    ]
    assert signers[0]["tabs"]["signHereTabs"][0]["anchorString"] == "\\s1\\"
    assert signers[1]["tabs"]["dateSignedTabs"][0]["anchorString"] == "\\d2\\"
    assert definition["recipients"]["carbonCopies"][0]["email"] == "office@example.ac.uk"
    assert definition["notification"]["expirations"]["expireAfter"] == "30"

    first = desk.docusign.sign(envelope.envelope_id, "1")
    assert [answer.status_code for answer in first] == [200]
    after_first = _document(desk, document_id)
    assert after_first["status"] == "sent"
    assert [s["status"] for s in after_first["signers"]] == ["signed", "waiting", "waiting"]

    answers = desk.docusign.sign(envelope.envelope_id, "2")
    assert [answer.json()["outcome"] for answer in answers] == ["recipient signed", "completed"]
    desk.wait()
    signed = _document(desk, document_id)
    assert signed["status"] == "signed"
    stored = client.get(
        f"/api/v1/documents/{document_id}/files/signed",
        headers=bearer(desk.app, "support@example.com"),
    )
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(stored.data)).pages)
    assert "Signed through DocuSign" in text and "Pat Publisher" in text
    digest = base64.b64encode(hashlib.sha256(stored.data).digest()).decode()
    assert stored.headers["Repr-Digest"] == f"sha-256=:{digest}:"
    certificate = client.get(
        f"/api/v1/documents/{document_id}/files/certificate",
        headers=bearer(desk.app, "support@example.com"),
    )
    assert envelope.envelope_id in PdfReader(io.BytesIO(certificate.data)).pages[0].extract_text()

    webhook_receiver.wait_for(1)
    ledger = [m.json for m in webhook_receiver.received if m.json["type"] == "invoice.trigger"]
    assert len(ledger) == 1 and ledger[0]["data"]["document_id"] == document_id

    calls = desk.docusign.state.calls - calls_before
    assert dict(calls) == {
        "oauth/token": 1,
        "oauth/userinfo": 1,
        "envelopes/create": 1,
        "documents/combined": 1,
        "documents/certificate": 1,
    }


def test_connect_messages_must_be_signed_and_apply_once(desk: Desk) -> None:
    document_id = _created(desk)
    _send(desk, document_id)
    envelope = desk.docusign.state.envelopes[_envelope_ref(desk, document_id)]
    counts = row_counts(desk.runtime)
    body = desk.docusign.event_body(envelope, "recipient-completed", recipient_id="1")

    for keys in ([], ["not-a-configured-key"]):
        assert desk.docusign.deliver(body, keys=keys).status_code == 401
    signature = base64.b64encode(hmac.new(KEYS[1].encode(), body, hashlib.sha256).digest())
    tampered = httpx.post(
        desk.docusign.state.connect_url,
        content=body.replace(b"recipient-completed", b"envelope-completed"),
        headers={"X-DocuSign-Signature-1": signature.decode()},
    )
    assert tampered.status_code == 401
    assert row_counts(desk.runtime) == counts

    # During a rotation Connect may sign with the old key alone: it is still accepted.
    rotated = desk.docusign.deliver(body, keys=[KEYS[0]])
    assert rotated.status_code == 200 and rotated.json()["outcome"] == "recipient signed"

    again = desk.docusign.deliver(body)
    assert again.status_code == 200 and again.json()["outcome"] == "duplicate"
    unknown = desk.docusign.deliver(
        body.replace(envelope.envelope_id.encode(), b"no-such-envelope")
    )
    assert unknown.status_code == 200 and unknown.json()["outcome"] == "unknown envelope"
    not_json = desk.docusign.deliver(b"<xml/>")
    assert not_json.status_code == 422


def test_an_older_event_changes_nothing_and_a_decline_brings_the_document_back(
    desk: Desk,
) -> None:
    document_id = _created(desk)
    _send(desk, document_id)
    envelope = desk.docusign.state.envelopes[_envelope_ref(desk, document_id)]
    declined = desk.docusign.decline(envelope.envelope_id, "1", "Our legal team needs 60 days")
    assert declined.json()["outcome"] == "declined"
    document = _document(desk, document_id)
    assert document["status"] == "draft"
    assert "Our legal team needs 60 days" in document["status_reason"]

    stale = desk.docusign.event_body(
        envelope, "envelope-completed", generated="2020-01-01T00:00:00.0000000Z"
    )
    assert desk.docusign.deliver(stale).json()["outcome"] == "stale"
    assert _document(desk, document_id)["status"] == "draft"


def test_docusign_busy_keeps_the_document_sending_and_a_later_try_sends_it(desk: Desk) -> None:
    document_id = _created(desk)
    desk.docusign.fail_next("envelopes/create", 503)
    _send(desk, document_id)
    waiting = _document(desk, document_id)
    assert waiting["status"] == "sending"
    assert "DocuSign answered 503; trying again at" in waiting["status_reason"]

    desk.docusign.fail_next("envelopes/create", 429, retry_after=120)
    uow = desk.runtime.unit_of_work()
    with uow:
        uow.session.execute(
            update(Envelope).values(next_attempt_at=utcnow() - timedelta(seconds=1))
        )
        uow.commit()
    assert run(desk.runtime, "signing.docusign_retry_due", {}) == 1
    with uow:
        due = uow.session.scalar(select(Envelope.next_attempt_at))
    assert due is not None and timedelta(seconds=110) < due - utcnow() < timedelta(seconds=125)

    with uow:
        uow.session.execute(
            update(Envelope).values(next_attempt_at=utcnow() - timedelta(seconds=1))
        )
        uow.commit()
    run(desk.runtime, "signing.docusign_retry_due", {})
    sent = _document(desk, document_id)
    assert sent["status"] == "sent" and sent["status_reason"] == ""


def test_when_the_signed_pdf_cannot_be_fetched_connect_is_asked_to_retry(desk: Desk) -> None:
    document_id = _created(desk)
    _send(desk, document_id)
    envelope = desk.docusign.state.envelopes[_envelope_ref(desk, document_id)]
    desk.docusign.sign(envelope.envelope_id, "1")
    desk.docusign.fail_next("documents/combined", 500)
    counts = row_counts(desk.runtime)
    answers = desk.docusign.sign(envelope.envelope_id, "2")
    assert [a.status_code for a in answers] == [200, 503]
    assert _document(desk, document_id)["status"] == "sent"
    after = row_counts(desk.runtime)
    assert after["provider_event"] == counts["provider_event"] + 1  # only recipient-completed
    assert after["outbox_event"] == counts["outbox_event"]

    retried = desk.docusign.deliver(answers[1].request.content)
    assert retried.json()["outcome"] == "completed"
    assert _document(desk, document_id)["status"] == "signed"


def _age(desk: Desk, hours: int) -> None:
    uow = desk.runtime.unit_of_work()
    with uow:
        uow.session.execute(update(Envelope).values(created_at=utcnow() - timedelta(hours=hours)))
        uow.commit()


def test_reconciliation_finds_a_signature_whose_connect_events_were_lost(
    desk: Desk, webhook_receiver: WebhookReceiver
) -> None:
    desk.app.test_client().post(
        "/api/v1/webhook-endpoints",
        json={"url": webhook_receiver.url, "events": ["invoice.trigger"]},
        headers=bearer(desk.app, "finance@example.com"),
    )
    document_id = _created(desk)
    _send(desk, document_id)
    ref = _envelope_ref(desk, document_id)
    desk.docusign.state.connect_paused = True
    desk.docusign.sign(ref, "1")
    desk.docusign.sign(ref, "2")
    assert _document(desk, document_id)["status"] == "sent"

    assert run(desk.runtime, "signing.docusign_reconcile", {}) == 0  # not quiet long enough
    _age(desk, hours=2)
    assert run(desk.runtime, "signing.docusign_reconcile", {}) == 1
    desk.wait()
    signed = _document(desk, document_id)
    assert signed["status"] == "signed"
    assert {"signed", "certificate"} <= {kind for kind, url in signed["files"].items() if url}
    webhook_receiver.wait_for(1)

    # The lost events arrive at last: nothing changes, no second invoice.
    desk.docusign.state.connect_paused = False
    outcomes = [
        desk.docusign.deliver(body).json()["outcome"] for body in desk.docusign.state.undelivered
    ]
    assert outcomes[-1] == "stale"
    desk.wait()
    invoices = [m for m in webhook_receiver.received if m.json["type"] == "invoice.trigger"]
    assert len(invoices) == 1


def test_reconciliation_asks_about_an_envelope_at_most_every_15_minutes(desk: Desk) -> None:
    document_id = _created(desk)
    _send(desk, document_id)
    ref = _envelope_ref(desk, document_id)
    _age(desk, hours=2)
    before = desk.docusign.state.calls["envelopes/list_status_changes"]
    assert run(desk.runtime, "signing.docusign_reconcile", {}) == 1
    assert run(desk.runtime, "signing.docusign_reconcile", {}) == 0
    assert desk.docusign.state.calls["envelopes/list_status_changes"] - before == 1
    assert desk.docusign.state.polled.count(ref) == 1
    uow = desk.runtime.unit_of_work()
    with uow:
        uow.session.execute(update(Envelope).values(polled_at=utcnow() - timedelta(minutes=16)))
        uow.commit()
    assert run(desk.runtime, "signing.docusign_reconcile", {}) == 1
    assert _document(desk, document_id)["status"] == "sent"


def test_a_send_whose_answer_was_lost_is_not_sent_twice(desk: Desk) -> None:
    """DocuSign created the envelope but the answer never arrived: the next try finds it by
    our transaction id instead of creating a second one."""
    document_id = _created(desk)
    _send(desk, document_id)
    ref = _envelope_ref(desk, document_id)
    uow = desk.runtime.unit_of_work()
    with uow:  # as if the worker died after DocuSign accepted the envelope
        uow.session.execute(
            update(Envelope).values(
                status="sending", provider_ref=None, next_attempt_at=utcnow() - timedelta(seconds=1)
            )
        )
        uow.commit()
    created_before = desk.docusign.state.calls["envelopes/create"]
    assert run(desk.runtime, "signing.docusign_retry_due", {}) == 1
    assert desk.docusign.state.calls["envelopes/create"] == created_before
    assert _envelope_ref(desk, document_id) == ref
    assert _document(desk, document_id)["status"] == "sent"


def test_void_remind_and_embedded_signing(desk: Desk) -> None:
    client = desk.app.test_client()
    support = bearer(desk.app, "support@example.com")
    document_id = _created(desk)
    sent = client.post(
        f"/api/v1/documents/{document_id}/send",
        json={
            "signers": [
                {
                    "name": "Helen Marsh",
                    "email": "h.marsh@example.ac.uk",
                    "routing_order": 1,
                    "embedded": True,
                },
                {"name": "Pat Publisher", "email": "pat@publisher.example", "routing_order": 2},
            ],
            "reminder_after_days": 1,
            "expire_after_days": 10,
        },
        headers=support,
    )
    assert sent.status_code == 200, sent.json
    desk.wait()
    ref = _envelope_ref(desk, document_id)
    signers = _document(desk, document_id)["signers"]
    assert desk.docusign.state.envelopes[ref].signers[0]["clientUserId"] == signers[0]["id"]
    notification = desk.docusign.state.envelopes[ref].definition["notification"]
    assert notification["reminders"] == {
        "reminderEnabled": "true",
        "reminderDelay": "1",
        "reminderFrequency": "3",
    }
    assert notification["expirations"]["expireAfter"] == "10"

    view = client.post(
        f"/api/v1/documents/{document_id}/signers/{signers[0]['id']}/view",
        json={"return_url": "https://crm.example/deal/4711"},
        headers=support,
    )
    assert view.status_code == 200, view.json
    assert view.json["url"] == f"{desk.docusign.base_uri}/signing/{ref}/1"
    not_embedded = client.post(
        f"/api/v1/documents/{document_id}/signers/{signers[1]['id']}/view",
        json={"return_url": "https://crm.example/deal/4711"},
        headers=support,
    )
    assert not_embedded.status_code == 409

    reminded = client.post(f"/api/v1/documents/{document_id}/remind", headers=support)
    assert reminded.status_code == 200 and desk.docusign.state.envelopes[ref].resent == 1

    no_reason = client.post(f"/api/v1/documents/{document_id}/void", json={}, headers=support)
    assert no_reason.status_code == 422
    voided = client.post(
        f"/api/v1/documents/{document_id}/void",
        json={"reason": "Prices change from 1 January; a new quote follows"},
        headers=support,
    )
    assert voided.status_code == 200, voided.json
    assert voided.json["status"] == "draft"
    assert "Prices change from 1 January" in voided.json["status_reason"]
    assert desk.docusign.state.envelopes[ref].status == "voided"
    again = client.post(
        f"/api/v1/documents/{document_id}/void", json={"reason": "twice"}, headers=support
    )
    assert again.status_code == 409


def test_a_signing_group_of_the_account_countersigns(desk: Desk) -> None:
    client = desk.app.test_client()
    support = bearer(desk.app, "support@example.com")
    group_id = desk.docusign.add_signing_group(desk.account_id, "Publisher countersigners")
    document_id = _created(desk)

    def send(group: str) -> Any:
        return client.post(
            f"/api/v1/documents/{document_id}/send",
            json={
                "signers": [
                    {"name": "Helen Marsh", "email": "h.marsh@example.ac.uk", "routing_order": 1},
                    {
                        "name": "Contract Desk Publishing countersigners",
                        "email": "contracts@publisher.example",
                        "routing_order": 2,
                        "signing_group": group,
                    },
                ]
            },
            headers=support,
        )

    assert send("Publisher countersigners").status_code == 200
    desk.wait()
    signers = desk.docusign.state.envelopes[_envelope_ref(desk, document_id)].signers
    assert signers[1]["signingGroupId"] == group_id
    assert "email" not in signers[1] and "name" not in signers[1]

    other = _created(desk)
    document_id = other
    assert send("No such group").status_code == 200
    desk.wait()
    failed = _document(desk, other)
    assert failed["status"] == "draft"
    assert "no signing group 'No such group'" in failed["status_reason"]
