"""The request id: set per HTTP request, carried into the jobs it causes, put on every log."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


def current_request_id() -> str | None:
    return _request_id.get()


def set_request_id(value: str | None) -> None:
    _request_id.set(value)


@contextmanager
def request_id_scope(value: str | None) -> Iterator[None]:
    """Use `value` as the request id inside the block, and restore the previous one after."""
    token = _request_id.set(value)
    try:
        yield
    finally:
        _request_id.reset(token)


def new_request_id() -> str:
    return uuid.uuid4().hex
