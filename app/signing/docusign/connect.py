"""DocuSign Connect events (JSON SIM): checking their HMAC signatures and reading them.

Connect signs the raw body with HMAC-SHA256 under every active key and sends one header per
key (`X-DocuSign-Signature-1` … `-N`); one match with any configured key is enough, so
keys rotate without downtime. Comparisons run in constant time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.errors import InvalidInput

SIGNATURE_HEADER = "X-DocuSign-Signature-"
MAX_SIGNATURE_HEADERS = 100


def sign(body: bytes, key: str) -> str:
    return base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()


def signature_valid(body: bytes, headers: Mapping[str, str], keys: list[str]) -> bool:
    """`headers` by lower-case name, as HTTP header names are case-insensitive."""
    received = [
        headers.get(f"{SIGNATURE_HEADER}{n}".lower(), "")
        for n in range(1, MAX_SIGNATURE_HEADERS + 1)
    ]
    received = [value.strip() for value in received if value]
    valid = False
    for key in keys:
        expected = sign(body, key).encode()
        for value in received:
            # No early exit: every pair is compared, whatever matches.
            valid |= hmac.compare_digest(expected, value.encode())
    return valid


@dataclass(frozen=True)
class ConnectEvent:
    event: str
    envelope_id: str
    recipient_id: str | None
    generated_at: datetime | None
    data: dict[str, Any]

    @property
    def key(self) -> str:
        """The same event delivered again (Connect retries) has the same key; `retryCount`
        and other delivery details are not part of it."""
        parts = [self.event, self.envelope_id, self.recipient_id or "", str(self.generated_at)]
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def parse_event(body: bytes) -> ConnectEvent:
    try:
        message = json.loads(body)
    except ValueError as exc:
        raise InvalidInput("the Connect message is not JSON") from exc
    if not isinstance(message, dict) or not isinstance(message.get("data"), dict):
        raise InvalidInput("the Connect message has no event data")
    data = message["data"]
    envelope_id = data.get("envelopeId")
    if not isinstance(message.get("event"), str) or not isinstance(envelope_id, str):
        raise InvalidInput("the Connect message names no event or envelope")
    recipient = data.get("recipientId")
    return ConnectEvent(
        event=message["event"],
        envelope_id=envelope_id,
        recipient_id=str(recipient) if recipient is not None else None,
        generated_at=_time(message.get("generatedDateTime")),
        data=data,
    )
