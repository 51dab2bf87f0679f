"""HTTP only: the JSON API for CRMs and the server-rendered pages for people."""

from __future__ import annotations

from apiflask import APIFlask
from flask_wtf.csrf import CSRFProtect

from app.config import Settings
from app.web import (
    approval_reasons,
    docs,
    formatting,
    headers,
    hygiene,
    i18n,
    idempotency,
    limits,
    login_throttle,
    ops,
    problems,
    spec,
    spec_links,
)
from app.web.api import api_keys as api_api_keys
from app.web.api import approvals as api_approvals
from app.web.api import batches as api_batches
from app.web.api import catalogue as api_catalogue
from app.web.api import documents as api_documents
from app.web.api import invoices as api_invoices
from app.web.api import library as api_library
from app.web.api import provider_webhooks as api_provider_webhooks
from app.web.api import tax_rates as api_tax_rates
from app.web.api import titles as api_titles
from app.web.api import webhook_endpoints as api_webhooks
from app.web.pages import account as pages_account
from app.web.pages import admin as pages_admin
from app.web.pages import approvals as pages_approvals
from app.web.pages import auth as pages_auth
from app.web.pages import documents as pages_documents
from app.web.pages import finance as pages_finance
from app.web.pages import library as pages_library
from app.web.pages import mail as pages_mail
from app.web.pages import new_document as pages_new_document
from app.web.pages import reports as pages_reports
from app.web.pages import signing as pages_signing
from app.web.pages import two_factor as pages_two_factor
from app.web.requests import ApiRequest

csrf = CSRFProtect()


def init_app(app: APIFlask, settings: Settings) -> None:
    app.request_class = ApiRequest
    headers.init_app(app, settings)
    ops.init_app(app)
    problems.init_app(app)
    i18n.init_app(app)
    formatting.init_app(app)
    approval_reasons.init_app(app)
    csrf.init_app(app)
    keyed = [
        api_documents.bp,
        api_invoices.bp,
        api_catalogue.bp,
        api_api_keys.bp,
        api_approvals.bp,
        api_batches.bp,
        api_library.bp,
        api_tax_rates.bp,
        api_titles.bp,
        api_webhooks.bp,
    ]
    for bp in (*keyed, api_provider_webhooks.bp):
        csrf.exempt(bp)  # API clients authenticate with a bearer key, not a cookie
        app.register_blueprint(bp)
    limits.init_app(app, settings, keyed)
    login_throttle.init_app(app, settings)
    hygiene.init_app(app, settings)
    idempotency.init_app(app)
    for page_bp in (
        ops.bp,
        pages_account.bp,
        pages_admin.bp,
        pages_approvals.bp,
        pages_auth.bp,
        pages_documents.bp,
        pages_finance.bp,
        pages_library.bp,
        pages_mail.bp,
        pages_mail.unsubscribe_bp,
        pages_new_document.bp,
        pages_reports.bp,
        pages_signing.bp,
        pages_two_factor.bp,
    ):
        app.register_blueprint(page_bp)
    # The signing link's token is the permission to sign, and a signing page framed on
    # another site gets no SameSite=Lax session cookie to hold a CSRF token in.
    csrf.exempt(pages_signing.bp)
    csrf.exempt(pages_mail.unsubscribe_bp)  # RFC 8058: mail programs POST without a form
    pages_auth.init_app(app)
    docs.init_app(app)
    app.spec_processor(
        lambda document: spec_links.add_links(
            spec.add_api_conventions(spec.add_webhook_events(spec.add_kind_schemas(document)))
        )
    )
