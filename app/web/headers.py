"""Security headers on every response, and the proxy hops the service trusts.

Pages get a nonce-based Content-Security-Policy (no 'unsafe-inline': scripts and styles
are files under /static, or carry the request's nonce), may be framed by no one, and send
referrers only as an origin across sites. The signing pages are the exception: they may be
framed by the origins configured for embedded signing (CONTRACTDESK_EMBED_ORIGINS), and send
no referrer at all, since their URL carries the signing token.

Strict-Transport-Security is sent only on requests that came over TLS: directly, or through
the CONTRACTDESK_TRUSTED_PROXIES proxies that say so in X-Forwarded-Proto.
"""

from __future__ import annotations

import secrets

from apiflask import APIFlask
from flask import g, request
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from app.config import Settings

SIGNING_BLUEPRINT = "pages_signing"
PERMISSIONS = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)
HSTS = "max-age=31536000"


def csp_nonce() -> str:
    """This request's nonce for inline <script> and <style> (made on first use)."""
    nonce = g.get("csp_nonce")
    if nonce is None:
        nonce = g.csp_nonce = secrets.token_urlsafe(18)
    return str(nonce)


def page_policy(nonce: str, frame_ancestors: str) -> str:
    return (
        f"default-src 'self'; script-src 'nonce-{nonce}' 'self'; "
        f"style-src 'nonce-{nonce}' 'self'; img-src 'self' data:; "
        "frame-src 'self' blob:; object-src 'none'; "  # blob: the quote form's PDF preview
        f"base-uri 'none'; form-action 'self'; frame-ancestors {frame_ancestors}"
    )


def _policy(response: Response, frame_ancestors: str) -> str:
    if response.mimetype == "text/html":
        return page_policy(csp_nonce(), frame_ancestors)
    if response.mimetype == "application/pdf":
        return f"frame-ancestors {frame_ancestors}"  # left whole to the browser PDF viewer
    return f"default-src 'none'; frame-ancestors {frame_ancestors}"


def init_app(app: APIFlask, settings: Settings) -> None:
    if settings.trusted_proxies:
        hops = settings.trusted_proxies
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops
        )
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    embed = " ".join(settings.embed_origins)

    @app.after_request
    def _security_headers(response: Response) -> Response:
        signing = request.blueprint == SIGNING_BLUEPRINT
        framed_by = embed if signing and embed else "'none'"
        headers = response.headers
        headers.setdefault("Content-Security-Policy", _policy(response, framed_by))
        if framed_by == "'none'":
            headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        referrer = "no-referrer" if signing else "strict-origin-when-cross-origin"
        headers.setdefault("Referrer-Policy", referrer)
        headers.setdefault("Permissions-Policy", PERMISSIONS)
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", HSTS)
        return response
