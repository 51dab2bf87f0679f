"""How a view reaches the runtime that `create_app` built."""

from __future__ import annotations

from flask import current_app

from app.runtime import Runtime
from app.uow import UnitOfWork


def runtime() -> Runtime:
    runtime: Runtime = current_app.extensions["contractdesk"]
    return runtime


def unit_of_work() -> UnitOfWork:
    return runtime().unit_of_work()
