"""What a sender asks DocuSign about an envelope out for signature: void it, resend it, or
open an embedded signer's signing view. DocuSign busy is retryable; a refusal is a
conflict."""

from __future__ import annotations

from typing import Any

from docusign_esign import Envelope as DocuSignEnvelope
from docusign_esign import EnvelopesApi, RecipientViewRequest
from docusign_esign.client.api_exception import ApiException
from urllib3.exceptions import HTTPError as TransportError

from app.config import Settings
from app.errors import Conflict, Unavailable
from app.signing.docusign.lifecycle import connection_for


def _call(action: str, call: Any) -> Any:
    try:
        return call()
    except ApiException as exc:
        if exc.status == 429 or (exc.status or 0) >= 500:
            raise Unavailable(f"DocuSign answered {exc.status} to {action}; try again") from exc
        raise Conflict(f"DocuSign refused to {action}: {exc.status} {exc.reason}") from exc
    except (TransportError, OSError) as exc:
        raise Unavailable(f"DocuSign cannot be reached to {action}") from exc


def void_at_docusign(settings: Settings, envelope_id: str, reason: str) -> None:
    connection = connection_for(settings)
    client, account_id = connection.api_client()
    _call(
        "void the envelope",
        lambda: EnvelopesApi(client).update(
            account_id,
            envelope_id,
            envelope=DocuSignEnvelope(status="voided", voided_reason=reason[:200]),
            _request_timeout=connection.timeout,
        ),
    )


def resend_at_docusign(settings: Settings, envelope_id: str) -> None:
    connection = connection_for(settings)
    client, account_id = connection.api_client()
    _call(
        "resend the envelope",
        lambda: EnvelopesApi(client).update(
            account_id,
            envelope_id,
            resend_envelope="true",
            envelope=DocuSignEnvelope(),
            _request_timeout=connection.timeout,
        ),
    )


def recipient_view(
    settings: Settings,
    envelope_id: str,
    *,
    client_user_id: str,
    name: str,
    email: str,
    return_url: str,
) -> str:
    connection = connection_for(settings)
    client, account_id = connection.api_client()
    view = _call(
        "open a signing view",
        lambda: EnvelopesApi(client).create_recipient_view(
            account_id,
            envelope_id,
            recipient_view_request=RecipientViewRequest(
                authentication_method="none",
                client_user_id=client_user_id,
                user_name=name,
                email=email,
                return_url=return_url,
            ),
            _request_timeout=connection.timeout,
        ),
    )
    return str(view.url)
