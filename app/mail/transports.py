"""Handing a composed message to the world: an SMTP server, or a folder of .eml files.

`CONTRACTDESK_SMTP_URL` chooses: smtp://host:587 speaks STARTTLS (required when it carries
a user and password, so a password never crosses in clear); smtps://host:465 is TLS from
the first byte. Without it (the embedded default) each message becomes
`<storage>/mail/<Message-ID>.eml`, written once: a second delivery of the same message
overwrites the same file, so the folder holds each message exactly once.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit


class PermanentFailure(Exception):
    """The server refused the message for good (5xx): trying again changes nothing."""


class Transport(Protocol):
    def send(self, message: EmailMessage, recipients: list[str]) -> None: ...


class SmtpTransport:
    def __init__(self, url: str, *, timeout: float = 30.0, ca_bundle: Path | None = None) -> None:
        parts = urlsplit(url)
        if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
            raise ValueError("CONTRACTDESK_SMTP_URL is smtp://host:port or smtps://host:port")
        self.implicit_tls = parts.scheme == "smtps"
        self.host = parts.hostname
        self.port = parts.port or (465 if self.implicit_tls else 587)
        self.user = unquote(parts.username or "")
        self.password = unquote(parts.password or "")
        self.timeout = timeout
        self.ca_bundle = ca_bundle

    def send(self, message: EmailMessage, recipients: list[str]) -> None:
        context = ssl.create_default_context(cafile=str(self.ca_bundle) if self.ca_bundle else None)
        client: smtplib.SMTP
        if self.implicit_tls:
            client = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            client.ehlo()
            if not self.implicit_tls and client.has_extn("starttls"):
                client.starttls(context=context)
                client.ehlo()
            elif not self.implicit_tls and self.user:
                raise PermanentFailure(
                    f"{self.host} offers no STARTTLS; the password is not sent in clear"
                )
            if self.user:
                client.login(self.user, self.password)
            refused = client.send_message(message, to_addrs=recipients)
            if refused:
                raise PermanentFailure(f"refused recipients: {refused}")
        except smtplib.SMTPResponseException as exc:
            if 500 <= exc.smtp_code < 600:
                raise PermanentFailure(f"{exc.smtp_code} {exc.smtp_error!r}") from exc
            raise
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentFailure(f"refused recipients: {exc.recipients}") from exc
        finally:
            try:
                client.quit()
            except (smtplib.SMTPException, OSError):
                client.close()


class FolderTransport:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path_for(self, message_id: str) -> Path:
        return self.folder / (re.sub(r"[^A-Za-z0-9._-]", "_", message_id.strip("<>")) + ".eml")

    def send(self, message: EmailMessage, recipients: list[str]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.path_for(str(message["Message-ID"]))
        partial = target.with_suffix(".part")
        partial.write_bytes(message.as_bytes())
        partial.replace(target)


def transport_for(smtp_url: str, storage_dir: Path, ca_bundle: Path | None = None) -> Transport:
    if smtp_url:
        return SmtpTransport(smtp_url, ca_bundle=ca_bundle)
    return FolderTransport(storage_dir / "mail")
