"""The guard where the socket is opened, for the two HTTP stacks the service speaks through:
httpx (webhook deliveries) and urllib3 (the DocuSign SDK).

Each resolves the host through the guard once, then opens the TCP connection to one of the
checked addresses itself; TLS still names the host (SNI and certificate check) and the
request still carries its Host header, so only the address lookup is taken out of the
library's hands. Proxies from the environment are not used: a proxy would connect for us.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx
from urllib3 import HTTPConnectionPool, HTTPSConnectionPool, PoolManager
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util import connection as urllib3_connection

from app.outbound.policy import Guard, OutboundRefused


class _GuardedBackend(httpcore.SyncBackend):
    def __init__(self, guard: Guard) -> None:
        self.guard = guard

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = self.guard.addresses(host, port)
        except LookupError as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        failure: Exception | None = None
        for address in addresses:
            try:
                return super().connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None
        raise failure


class GuardedTransport(httpx.HTTPTransport):
    """httpx's own transport with the connection pool built on the guarded backend."""

    def __init__(self, guard: Guard, *, verify: ssl.SSLContext | bool = True) -> None:
        context = (
            verify
            if isinstance(verify, ssl.SSLContext)
            else httpx.create_ssl_context(verify=verify, trust_env=False)
        )
        super().__init__(verify=context, trust_env=False)
        # httpx offers no way to pass a network backend, so its pool is built again with one
        self._pool = httpcore.ConnectionPool(
            ssl_context=context, network_backend=_GuardedBackend(guard)
        )


def guarded_client(guard: Guard, *, timeout: float) -> httpx.Client:
    """An httpx client that connects only where the guard allows and follows no redirect."""
    return httpx.Client(
        transport=GuardedTransport(guard),
        timeout=timeout,
        follow_redirects=False,
        trust_env=False,
    )


def _guarded_socket(connection: HTTPConnection, guard: Guard) -> socket.socket:
    """What urllib3's `_new_conn` does, to the checked addresses instead of the name's."""
    try:
        addresses = guard.addresses(connection.host, connection.port)
    except OutboundRefused as exc:
        # a transport error to the SDK's callers, which say the service cannot be reached
        raise NewConnectionError(connection, f"refused: {exc.reason}") from exc
    except LookupError as exc:
        raise NewConnectionError(connection, str(exc)) from exc
    failure: OSError | None = None
    for address in addresses:
        try:
            return urllib3_connection.create_connection(
                (str(address), connection.port),
                connection.timeout,
                source_address=connection.source_address,
                socket_options=connection.socket_options,
            )
        except TimeoutError as exc:
            raise ConnectTimeoutError(
                connection, f"connection to {connection.host} ({address}) timed out"
            ) from exc
        except OSError as exc:
            failure = exc
    raise NewConnectionError(connection, f"Failed to establish a new connection: {failure}")


def guard_pool_manager(manager: PoolManager, guard: Guard) -> PoolManager:
    """Make a urllib3 pool manager (the DocuSign SDK's) open its connections through the
    guard; its TLS settings stay as they are."""

    class GuardedHTTPConnection(HTTPConnection):
        def _new_conn(self) -> socket.socket:
            return _guarded_socket(self, guard)

    class GuardedHTTPSConnection(HTTPSConnection):
        def _new_conn(self) -> socket.socket:
            return _guarded_socket(self, guard)

    class GuardedHTTPPool(HTTPConnectionPool):
        ConnectionCls = GuardedHTTPConnection

    class GuardedHTTPSPool(HTTPSConnectionPool):
        ConnectionCls = GuardedHTTPSConnection

    manager.pool_classes_by_scheme = {"http": GuardedHTTPPool, "https": GuardedHTTPSPool}
    manager.clear()
    return manager
