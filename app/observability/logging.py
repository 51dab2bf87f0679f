"""JSON logs, one object a line, each with the request id that caused it, and no secrets:
API keys, webhook secrets and signing-link tokens are masked whatever logs them."""

from __future__ import annotations

import logging
import re
import sys
from typing import TextIO

from pythonjsonlogger.json import JsonFormatter

from app.observability.context import current_request_id


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        return True


SECRETS = re.compile(
    r"(?P<prefix>/sign/|Bearer\s+|\bcd_|\bwhsec_)[A-Za-z0-9_\-+/=]{8,}", re.IGNORECASE
)


def redact(text: str) -> str:
    return SECRETS.sub(lambda m: f"{m.group('prefix')}[redacted]", text)


class RedactSecrets(logging.Filter):
    """Masks what would let a reader of the logs act as a CRM, an ERP or a signer."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


CHATTY = ("weasyprint.progress", "fontTools", "pyhanko", "pyhanko_certvalidator")
"""Libraries that tell their progress at INFO (WeasyPrint a line per step and page of
every render, fontTools per font subset): only their warnings and errors are logged."""


ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class _NoTerminalColours(logging.Filter):
    """Some libraries colour their messages for a terminal (werkzeug its status codes):
    in a JSON log the escapes are noise, so they are taken out."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "\x1b" in message:
            record.msg, record.args = ANSI.sub("", message), None
        return True


def configure(level: str = "INFO", stream: TextIO | None = None) -> None:
    """Replace the root handlers with one JSON handler on `stream` (stderr by default)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(
        JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
    )
    handler.addFilter(_RequestIdFilter())
    handler.addFilter(RedactSecrets())
    handler.addFilter(_NoTerminalColours())
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    for name in CHATTY:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
