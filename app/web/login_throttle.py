"""Wrong passwords counted per account and per client address (a moving window in the
rate limit store: memory on the embedded default, Redis when several processes serve).

Past either limit, sign-in is refused, right password or not, until the window lets the
oldest failure go; the answer is 429 with Retry-After."""

from __future__ import annotations

import hashlib
import logging
import math
import time
from datetime import UTC, datetime

from flask import Flask, Response, current_app, render_template, request
from flask_babel import gettext as _
from limits import RateLimitItem, parse
from limits.errors import StorageError
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from app.config import Settings
from app.web.problems import PROBLEM_JSON, problem, problem_response

log = logging.getLogger(__name__)

EXTENSION = "contractdesk_login_throttle"


def _account(email: str) -> str:
    return "login-account:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()


def _address(address: str) -> str:
    return "login-address:" + address


class LoginThrottle:
    def __init__(self, settings: Settings) -> None:
        remote = settings.rate_limit_storage != "memory://"
        storage = storage_from_string(
            settings.rate_limit_storage, **({"socket_timeout": 2} if remote else {})
        )
        self._limiter = MovingWindowRateLimiter(storage)
        self.account_limit: RateLimitItem = parse(settings.login_limit_account)
        self.address_limit: RateLimitItem = parse(settings.login_limit_address)

    def _pairs(self, email: str, address: str) -> list[tuple[RateLimitItem, str]]:
        return [(self.account_limit, _account(email)), (self.address_limit, _address(address))]

    def locked_for(self, email: str, address: str) -> int | None:
        """Seconds until a sign-in may be tried again; None when it may be now."""
        waits = []
        try:
            for item, key in self._pairs(email, address):
                if not self._limiter.test(item, key):
                    reset = self._limiter.get_window_stats(item, key).reset_time
                    waits.append(max(1, math.ceil(reset - time.time())))
        except StorageError:
            log.exception("the sign-in throttle's store cannot be reached; not throttling")
            return None
        return max(waits) if waits else None

    def failed(self, email: str, address: str) -> tuple[bool, bool]:
        """Count a wrong password; whether the account and the address are locked now."""
        try:
            for item, key in self._pairs(email, address):
                self._limiter.hit(item, key)
            return (
                not self._limiter.test(self.account_limit, _account(email)),
                not self._limiter.test(self.address_limit, _address(address)),
            )
        except StorageError:
            log.exception("the sign-in throttle's store cannot be reached; not throttling")
            return False, False

    def succeeded(self, email: str) -> None:
        """The owner got in: the account's count starts again (the address's does not)."""
        try:
            self._limiter.clear(self.account_limit, _account(email))
        except StorageError:
            log.exception("the sign-in throttle's store cannot be reached")

    def until(self, email: str) -> datetime:
        """When a lock of the account (counted until now) ends."""
        reset = self._limiter.get_window_stats(self.account_limit, _account(email)).reset_time
        return datetime.fromtimestamp(reset, UTC)

    def address_until(self, address: str) -> datetime:
        stats = self._limiter.get_window_stats(self.address_limit, _address(address))
        return datetime.fromtimestamp(stats.reset_time, UTC)


def throttle() -> LoginThrottle:
    found = current_app.extensions[EXTENSION]
    assert isinstance(found, LoginThrottle)
    return found


def init_app(app: Flask, settings: Settings) -> None:
    app.extensions[EXTENSION] = LoginThrottle(settings)


def refusal(wait: int, email: str) -> Response:
    """429 with Retry-After: an RFC 9457 problem to a client asking for JSON, else the page."""
    minutes = max(1, math.ceil(wait / 60))
    detail = _(
        "Too many wrong passwords: signing in is locked for %(minutes)s minutes. "
        "Try again later, or ask an administrator to reset your password.",
        minutes=minutes,
    )
    headers = {"Retry-After": str(wait)}
    best = request.accept_mimetypes.best_match(["text/html", "application/json", PROBLEM_JSON])
    if best in {"application/json", PROBLEM_JSON}:
        body = problem(429, "Too Many Requests", detail, slug="sign-in-locked")
        body["retry_after"] = wait
        return problem_response(body, headers)
    page = render_template("login.html", error=detail, email=email)
    return Response(page, status=429, headers=headers, mimetype="text/html")
