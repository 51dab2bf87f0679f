"""Envelopes at DocuSign: built from the document's PDF and its recipients, with the
signature, name, position and date fields placed on the anchor strings the templates print
invisibly in each signature block (`\\s1\\`, `\\n1\\`, `\\t1\\`, `\\d1\\` for the first
signer, and so on), the same blocks the built-in signer fills."""

from __future__ import annotations

import base64
from dataclasses import dataclass

from docusign_esign import (
    CarbonCopy,
    DateSigned,
    Document,
    EnvelopeDefinition,
    EnvelopesApi,
    Expirations,
    FullName,
    Notification,
    Recipients,
    Reminders,
    SignHere,
    SigningGroupsApi,
    Tabs,
    Title,
)
from docusign_esign import (
    Signer as DocuSignSigner,
)

from app.signing.docusign.connection import DocuSignConnection


@dataclass(frozen=True)
class Recipient:
    recipient_id: str
    name: str
    email: str
    routing_order: int
    anchor_index: int | None
    """For a signer: which anchors (`\\s{n}\\`) are theirs; None for a carbon copy."""
    client_user_id: str | None = None
    """Set for a signer who signs in an embedded view rather than from DocuSign's email."""
    signing_group_id: str | None = None
    """Set for a place any member of a signing group may sign; then no name or email."""
    title: str = ""
    """The signer's position, filled in their block's position line."""


@dataclass(frozen=True)
class Schedule:
    reminder_after_days: int
    reminder_every_days: int
    expire_after_days: int
    expire_warn_days: int


TEXT_RISE = "-11"
SIGNATURE_RISE = "-26"
"""Pixels up from an anchor, which sits on its block's line, to the top of what DocuSign
writes there: a text tab's line of text, or the sign-here mark."""


def _anchor(kind: type, text: str, rise: str = TEXT_RISE, **values: str) -> object:
    return kind(
        anchor_string=text,
        anchor_units="pixels",
        anchor_x_offset="0",
        anchor_y_offset=rise,
        anchor_ignore_if_not_present="false",
        **values,
    )


def envelope_definition(
    *,
    transaction_id: str,
    subject: str,
    file_name: str,
    pdf: bytes,
    recipients: list[Recipient],
    schedule: Schedule,
) -> EnvelopeDefinition:
    signers, copies = [], []
    for recipient in recipients:
        if recipient.anchor_index is None:
            copies.append(
                CarbonCopy(
                    recipient_id=recipient.recipient_id,
                    name=recipient.name,
                    email=recipient.email,
                    routing_order=str(recipient.routing_order),
                )
            )
            continue
        n = recipient.anchor_index
        group = recipient.signing_group_id
        signers.append(
            DocuSignSigner(
                recipient_id=recipient.recipient_id,
                name=None if group else recipient.name,
                email=None if group else recipient.email,
                signing_group_id=group,
                routing_order=str(recipient.routing_order),
                client_user_id=recipient.client_user_id,
                tabs=Tabs(
                    sign_here_tabs=[_anchor(SignHere, f"\\s{n}\\", SIGNATURE_RISE)],
                    full_name_tabs=[_anchor(FullName, f"\\n{n}\\")],
                    title_tabs=[
                        _anchor(
                            Title,
                            f"\\t{n}\\",
                            **({"value": recipient.title} if recipient.title else {}),
                        )
                    ],
                    date_signed_tabs=[_anchor(DateSigned, f"\\d{n}\\")],
                ),
            )
        )
    return EnvelopeDefinition(
        email_subject=subject[:100],
        documents=[
            Document(
                document_base64=base64.b64encode(pdf).decode("ascii"),
                name=file_name,
                file_extension="pdf",
                document_id="1",
            )
        ],
        recipients=Recipients(signers=signers, carbon_copies=copies),
        notification=Notification(
            use_account_defaults="false",
            reminders=Reminders(
                reminder_enabled="true",
                reminder_delay=str(schedule.reminder_after_days),
                reminder_frequency=str(schedule.reminder_every_days),
            ),
            expirations=Expirations(
                expire_enabled="true",
                expire_after=str(schedule.expire_after_days),
                expire_warn=str(schedule.expire_warn_days),
            ),
        ),
        status="sent",
        transaction_id=transaction_id,
    )


def signing_groups(connection: DocuSignConnection) -> dict[str, str]:
    """The account's signing groups: id by name."""
    client, account_id = connection.api_client()
    found = SigningGroupsApi(client).list(account_id, _request_timeout=connection.timeout)
    return {str(g.group_name): str(g.signing_group_id) for g in found.groups or []}


def create_envelope(connection: DocuSignConnection, definition: EnvelopeDefinition) -> str:
    client, account_id = connection.api_client()
    summary = EnvelopesApi(client).create_envelope(
        account_id, envelope_definition=definition, _request_timeout=connection.timeout
    )
    return str(summary.envelope_id)


def download(connection: DocuSignConnection, envelope_id: str, document: str) -> bytes:
    """`combined` (the signed PDF) or `certificate` (the certificate of completion)."""
    client, account_id = connection.api_client()
    data = EnvelopesApi(client).get_document(
        account_id, document, envelope_id, _request_timeout=connection.timeout
    )
    return bytes(data)


@dataclass(frozen=True)
class EnvelopeStatus:
    envelope_id: str
    status: str
    changed_at: str
    voided_reason: str


def statuses(
    connection: DocuSignConnection,
    *,
    envelope_ids: list[str] | None = None,
    transaction_ids: list[str] | None = None,
) -> list[EnvelopeStatus]:
    """DocuSign's `listStatusChanges` for given envelopes (or for our transaction ids)."""
    client, account_id = connection.api_client()
    found = EnvelopesApi(client).list_status_changes(
        account_id,
        envelope_ids=",".join(envelope_ids) if envelope_ids else None,
        transaction_ids=",".join(transaction_ids) if transaction_ids else None,
        _request_timeout=connection.timeout,
    )
    return [
        EnvelopeStatus(
            envelope_id=str(e.envelope_id),
            status=str(e.status),
            changed_at=str(e.status_changed_date_time or ""),
            voided_reason=str(e.voided_reason or ""),
        )
        for e in found.envelopes or []
    ]
