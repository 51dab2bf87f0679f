"""Delivery to a real SMTP server that wants a login: over STARTTLS (smtp://) and over TLS
from the first byte (smtps://), with a certificate from a CA made for the test; and a
server that offers no STARTTLS never sees the password."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from apiflask import APIFlask

from app.mail import services
from app.mail.models import MailMessage
from tests.conftest import build_app, make_settings
from tests.mail.conftest import Inbox
from tests.mail.test_delivery import _queue
from tests.support.docusign_emulator import TestCA, make_test_ca

USER, PASSWORD = "desk", "s3cret pass"


class Logins:
    """What the server's authenticator was given, and whether the line was encrypted."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, bytes, bytes, bool]] = []

    def __call__(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        assert isinstance(data, LoginPassword)
        transport = server.transport
        encrypted = session.ssl is not None or (
            transport is not None and transport.get_extra_info("sslcontext") is not None
        )
        self.seen.append((mechanism, data.login, data.password, encrypted))
        return AuthResult(success=(data.login, data.password) == (USER.encode(), PASSWORD.encode()))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def ca(tmp_path: Path) -> TestCA:
    return make_test_ca(tmp_path / "smtp-ca")


def _server_context(ca: TestCA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(ca.cert_file, ca.key_file)
    return context


def _serve(inbox: Inbox, logins: Logins, **kwargs: Any) -> Iterator[int]:
    port = _free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=logins,
        auth_required=True,
        **kwargs,
    )
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


def _app(postgres_url: str, tmp_path: Path, instance_dir: Path, url: str, ca: TestCA) -> APIFlask:
    return build_app(
        make_settings(postgres_url, tmp_path, instance_dir, smtp_url=url, smtp_ca_bundle=ca.ca_file)
    )


def _deliver_one(app: APIFlask) -> MailMessage:
    runtime = app.extensions["contractdesk"]
    runtime.jobs.wait_idle()
    [message_id] = _queue(runtime, 1)
    runtime.jobs.wait_idle()
    services.deliver(runtime.unit_of_work(), message_id)
    with runtime.session_factory() as session:
        message = session.get(MailMessage, message_id)
        assert message is not None
        session.expunge(message)
        return message


@pytest.mark.parametrize("scheme", ["smtp", "smtps"])
def test_the_message_goes_with_a_login_over_tls(
    postgres_url: str, tmp_path: Path, instance_dir: Path, ca: TestCA, scheme: str
) -> None:
    inbox, logins = Inbox(), Logins()
    context = _server_context(ca)
    if scheme == "smtp":  # STARTTLS, required before AUTH
        served = _serve(inbox, logins, tls_context=context, require_starttls=True)
    else:  # TLS from the first byte (aiosmtpd counts only STARTTLS as TLS for AUTH)
        served = _serve(inbox, logins, ssl_context=context, auth_require_tls=False)
    port = next(served)
    url = f"{scheme}://{USER}:s3cret%20pass@127.0.0.1:{port}"
    app = _app(postgres_url, tmp_path, instance_dir, url, ca)
    try:
        message = _deliver_one(app)
    finally:
        app.extensions["contractdesk"].close()
        next(served, None)
    assert message.state == "sent", message.last_error
    assert [(login, password, encrypted) for _, login, password, encrypted in logins.seen] == [
        (USER.encode(), PASSWORD.encode(), True)
    ]
    [received] = inbox.received
    assert str(received["Message-ID"]) == message.message_id


def test_no_password_is_sent_to_a_server_without_starttls(
    postgres_url: str, tmp_path: Path, instance_dir: Path, ca: TestCA
) -> None:
    inbox, logins = Inbox(), Logins()
    # a server that would take the login in clear, if it were offered
    served = _serve(inbox, logins, auth_require_tls=False)
    port = next(served)
    url = f"smtp://{USER}:{PASSWORD}@127.0.0.1:{port}"
    app = _app(postgres_url, tmp_path, instance_dir, url, ca)
    try:
        message = _deliver_one(app)
    finally:
        app.extensions["contractdesk"].close()
        next(served, None)
    assert logins.seen == [] and inbox.received == []
    assert message.state == "failed" and "STARTTLS" in message.last_error
