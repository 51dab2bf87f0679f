"""What an attacker points the service at: an internal service that must never be reached,
a host name whose DNS answers the attacker controls, and an app that allows no internal
address (the production shape) beside the test default that allows 127.0.0.1."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from apiflask import APIFlask

from tests.conftest import build_app, make_settings

SECRET = "internal-only: aws_secret_access_key=EXAMPLE"


@dataclass
class Server:
    """A real HTTP server on a loopback address: counts what reaches it, answers `status`
    with `body` (and `location`, for a redirect)."""

    host: str
    port: int = 0
    hits: list[str] = field(default_factory=list)
    status: int = 200
    body: str = SECRET
    location: str = ""

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


def _serve(server: Server) -> Callable[[], None]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("content-length", 0) or 0)
            self.rfile.read(length)
            server.hits.append(f"{self.command} {self.headers.get('host')} {self.path}")
            self.send_response(server.status)
            if server.location:
                self.send_header("location", server.location)
            self.end_headers()
            self.wfile.write(server.body.encode())

        do_GET = do_POST = _answer

        def log_message(self, format: str, *args: Any) -> None:
            pass

    http = ThreadingHTTPServer((server.host, server.port), Handler)
    server.port = http.server_address[1]
    threading.Thread(target=http.serve_forever, daemon=True).start()

    def stop() -> None:
        http.shutdown()
        http.server_close()

    return stop


@pytest.fixture
def internal_service() -> Iterator[Server]:
    """Something inside the network on 127.0.0.2: loopback, never on any allow-list here."""
    server = Server("127.0.0.2")
    stop = _serve(server)
    yield server
    stop()


@pytest.fixture
def receiver() -> Iterator[Server]:
    """A receiver on 127.0.0.1, the one address the test settings allow."""
    server = Server("127.0.0.1", body="ok")
    stop = _serve(server)
    yield server
    stop()


@pytest.fixture
def twin(receiver: Server) -> Iterator[Server]:
    """An internal service on 127.0.0.2 at the receiver's port: where a rebound name leads."""
    server = Server("127.0.0.2", port=receiver.port)
    stop = _serve(server)
    yield server
    stop()


@dataclass
class FakeDns:
    """The attacker's name server, at the socket boundary: `answers[name]` is the list of
    answers it gives, one per lookup (the last repeats); other names resolve as usual."""

    answers: dict[str, list[str]] = field(default_factory=dict)
    lookups: list[str] = field(default_factory=list)


@pytest.fixture
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> FakeDns:
    dns = FakeDns()
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name not in dns.answers:
            return real(host, port, *args, **kwargs)
        dns.lookups.append(name)
        queue = dns.answers[name]
        address = queue.pop(0) if len(queue) > 1 else queue[0]
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (address, port or 0))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return dns


@pytest.fixture
def closed_app(postgres_url: str, tmp_path: Path, instance_dir: Path) -> Iterator[APIFlask]:
    """The production shape: CONTRACTDESK_OUTBOUND_ALLOW left empty, nothing internal."""
    app = build_app(make_settings(postgres_url, tmp_path, instance_dir, outbound_allow=""))
    yield app
    app.extensions["contractdesk"].close()
