"""With DocuSign, DocuSign mails the signers and copies: the service sends them nothing,
and still sends its own notices (the signed copy to the sender), checked against the
DocuSign emulator and a real SMTP server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.mail.conftest import SmtpServer
from tests.signing.test_docusign_flow import _created, _envelope_ref, _send
from tests.support.docusign_desk import Desk, docusign_desk
from tests.support.docusign_emulator import DocuSignEmulator

CUSTOMERS = ("h.marsh@example.ac.uk", "pat@publisher.example", "office@example.ac.uk")


@pytest.fixture
def desk(
    postgres_url: str,
    tmp_path: Path,
    instance_dir: Path,
    docusign: DocuSignEmulator,
    smtp: SmtpServer,
) -> Iterator[Desk]:
    with docusign_desk(docusign, postgres_url, tmp_path, instance_dir, smtp_url=smtp.url) as desk:
        yield desk


def test_docusign_mails_the_signers_and_the_sender_hears_from_us(
    desk: Desk, smtp: SmtpServer
) -> None:
    document_id = _created(desk)
    _send(desk, document_id)
    envelope = desk.docusign.state.envelopes[_envelope_ref(desk, document_id)]
    desk.docusign.sign(envelope.envelope_id, "1")
    desk.docusign.sign(envelope.envelope_id, "2")
    desk.wait()
    assert all(smtp.inbox.to(address) == [] for address in CUSTOMERS), [
        str(m["To"]) for m in smtp.inbox.received
    ]
    [copy] = [
        m for m in smtp.inbox.to("support@example.com") if "signed" in str(m["Subject"]).lower()
    ]
    [attachment] = list(copy.iter_attachments())
    assert attachment.get_filename().endswith("-signed.pdf")
