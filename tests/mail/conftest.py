"""A real SMTP server (aiosmtpd) on a free port, and an app whose mail goes to it."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from apiflask import APIFlask

from app.runtime import Runtime
from tests.conftest import build_app, make_settings


class Inbox:
    """What the server accepted; `refuse` names addresses it answers 550 for."""

    def __init__(self) -> None:
        self.received: list[EmailMessage] = []
        self.refuse: set[str] = set()
        self._lock = threading.Lock()

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        data = envelope.content if isinstance(envelope.content, bytes) else b""
        message = message_from_bytes(data, policy=policy.default)
        assert isinstance(message, EmailMessage)
        with self._lock:
            self.received.append(message)
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [m for m in self.received if address in str(m["To"])]


class SmtpServer:
    """A server that can be stopped and started again on the same port, mid-run."""

    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer(Inbox())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_app(
    postgres_url: str, tmp_path: Path, instance_dir: Path, smtp: SmtpServer
) -> Iterator[APIFlask]:
    app = build_app(make_settings(postgres_url, tmp_path, instance_dir, smtp_url=smtp.url))
    yield app
    app.extensions["contractdesk"].close()


def settle(app: APIFlask) -> Runtime:
    runtime: Runtime = app.extensions["contractdesk"]
    runtime.jobs.wait_idle()
    return runtime
