"""Contract Desk: quotes and licences from a clause library, signed and invoiced."""

from __future__ import annotations

import warnings
from datetime import timedelta

from apiflask import APIFlask
from cryptography.utils import CryptographyDeprecationWarning

from app.config import Settings
from app.instance_secret import secret_key_for

# pyHanko imports DSA support, which cryptography deprecates; we sign with RSA and ECDSA only,
# and the warning was the first line every command printed.
warnings.filterwarnings("ignore", "DSA is deprecated", CryptographyDeprecationWarning)


def create_app(settings: Settings | None = None) -> APIFlask:
    """Build the web app and everything it talks to from `settings` (or the environment)."""
    settings = settings or Settings()
    secret_key = secret_key_for(settings)
    app = APIFlask(
        __name__,
        title="Contract Desk API",
        version="1",
        spec_path="/api/openapi.json",
        docs_path="/api/docs",
        docs_ui="swagger-ui",
        docs_oauth2_redirect_path=None,  # no OAuth2 here; its page is all inline script
        template_folder="web/templates",
        static_folder="web/static",
    )
    app.config.update(
        SECRET_KEY=secret_key,
        MAX_CONTENT_LENGTH=settings.max_request_bytes,
        OPENAPI_VERSION="3.1.0",
        AUTO_OPERATION_ID=True,  # each operation named, for generated clients and links
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.session_max_hours),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        # The cookie goes out when the session changes (app/web/sessions.py renews its last
        # use once a minute), not with every answer: one still on its way when a browser
        # clears its cookies for another sign-in would put the old cookie back.
        SESSION_REFRESH_EACH_REQUEST=False,
        SECURITY_SCHEMES=None,
        INFO={
            "description": "Create quotes from templates, route them for approval, send "
            "them for signature and receive invoicing triggers. Errors are RFC 9457 "
            "problem documents."
        },
    )
    _ = settings.approval_matrix  # a broken matrix is said at start-up, not at the first quote
    from app.entry import runtime_for

    # Imported here: `app.entry` registers every task module, and importing `app` (for a
    # model, say) must not import all of them.
    runtime = runtime_for(settings)
    runtime.storage.check()  # a missing bucket or versioning is said at start-up, not later
    app.extensions["contractdesk"] = runtime

    from app import web

    web.init_app(app, settings)
    return app
