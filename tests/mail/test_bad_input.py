"""Bad input is refused when it is entered: an address that is not one, a line break in
a name or subject (header injection). Nothing is stored, nothing is sent."""

from __future__ import annotations

import pytest
from apiflask import APIFlask

from app.errors import InvalidInput
from app.mail.addresses import clean_address, clean_header, formatted
from tests.conftest import WAIT, bearer, row_counts
from tests.mail.conftest import SmtpServer, settle
from tests.support.flows import plain_quote_request


@pytest.mark.parametrize(
    "signer",
    [
        {"name": "Helen Marsh\r\nBcc: all@example.org", "email": "h.marsh@example.ac.uk"},
        {"name": "Helen Marsh\nX", "email": "h.marsh@example.ac.uk"},
        {"name": "Helen Marsh", "email": "h.marsh@example"},
        {"name": "Helen Marsh", "email": "h.marsh@example.ac.uk\r\nBcc: x@example.org"},
    ],
)
def test_a_bad_signer_is_refused_when_sent_and_nothing_is_queued(
    mail_app: APIFlask, smtp: SmtpServer, signer: dict[str, str]
) -> None:
    client = mail_app.test_client()
    support = bearer(mail_app, "support@example.com")
    doc = client.post(
        "/api/v1/documents", json=plain_quote_request(mail_app), headers={**support, **WAIT}
    )
    runtime = settle(mail_app)
    before = row_counts(runtime)
    sent = client.post(
        f"/api/v1/documents/{doc.json['id']}/send", json={"signers": [signer]}, headers=support
    )
    assert sent.status_code == 422, sent.json
    settle(mail_app)
    assert row_counts(runtime) == before
    assert smtp.inbox.received == []


def test_header_values_with_line_breaks_are_refused() -> None:
    for bad in ("Quote\r\nBcc: x@example.org", "Quote\nBcc: x", "Quote\rX", "a\x00b"):
        with pytest.raises(InvalidInput):
            clean_header(bad)
        with pytest.raises(InvalidInput):
            formatted(bad, "a@example.org")
    with pytest.raises(InvalidInput):
        clean_address("not an address")
    assert clean_address("Helen@Example.AC.UK") == "Helen@example.ac.uk"
    assert formatted("Marsh, Helen", "h@example.org") == '"Marsh, Helen" <h@example.org>'
