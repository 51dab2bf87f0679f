"""Secrets never reach the logs, the audit log or an error answer: API keys, webhook
secrets and signing-link tokens, through a whole flow on a real server."""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from app.audit.models import AuditEvent
from app.observability.logging import configure
from tests.conftest import WAIT, WebhookReceiver, bearer, build_app, make_settings
from tests.support.flows import plain_quote_request


@pytest.fixture
def captured_logs() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    stream = io.StringIO()
    configure("DEBUG", stream)
    yield stream
    root.handlers, root.level = handlers, level


def test_no_key_secret_or_signing_token_is_written_anywhere(
    postgres_url: str,
    tmp_path: Path,
    instance_dir: Path,
    webhook_receiver: WebhookReceiver,
    captured_logs: io.StringIO,
) -> None:
    server = make_server("127.0.0.1", 0, None, threaded=True)  # type: ignore[arg-type]
    url = f"http://127.0.0.1:{server.server_port}"
    # plain HTTP: httpx sends no Secure cookie there (Chromium does, to 127.0.0.1)
    settings = make_settings(
        postgres_url, tmp_path, instance_dir, public_url=url, session_cookie_secure=False
    )
    app = build_app(settings)
    server.app = app
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        admin = bearer(app, "admin@example.com")
        secrets: list[str] = [admin["Authorization"].split()[1]]
        with httpx.Client(base_url=url, timeout=30) as client:
            key = client.post(
                "/api/v1/api-keys",
                json={"user": "support@example.com", "name": "CRM"},
                headers=admin,
            ).json()["key"]
            finance = bearer(app, "finance@example.com")
            hook = client.post(
                "/api/v1/webhook-endpoints",
                json={"url": webhook_receiver.url, "events": ["invoice.trigger"]},
                headers=finance,
            ).json()
            secrets += [key, hook["secret"], finance["Authorization"].split()[1]]
            crm = {"Authorization": f"Bearer {key}"}
            refused = client.get(
                "/api/v1/documents", headers={"Authorization": "Bearer cd_" + "x" * 40}
            )
            assert refused.status_code == 401
            made = client.post(
                "/api/v1/documents", json=plain_quote_request(app), headers={**crm, **WAIT}
            ).json()
            sent = client.post(
                f"/api/v1/documents/{made['id']}/send",
                json={"signers": [{"name": "Helen Marsh", "email": "h@example.org"}]},
                headers=crm,
            ).json()
            link = sent["signers"][0]["signing_url"]
            secrets.append(urlsplit(link).path.rsplit("/", 1)[1])
            client.get(link)
            signed = client.post(
                link,
                data={"typed_name": "Helen Marsh", "consent": "yes"},
            )
            assert signed.status_code == 200
            again = client.get(link)  # a used link: an error page, naming no token
            assert again.status_code in (404, 410)
            answers = [refused.text, again.text]
        app.extensions["contractdesk"].jobs.wait_idle()
        webhook_receiver.wait_for(1)
        uow = app.extensions["contractdesk"].unit_of_work()
        with uow:
            audit = json.dumps(
                [e.data for e in uow.session.scalars(select(AuditEvent))], default=str
            )
    finally:
        server.shutdown()
        app.extensions["contractdesk"].close()

    logs = captured_logs.getvalue()
    assert "/sign/[redacted]" in logs  # the signing requests were logged, masked
    for secret in secrets:
        assert secret not in logs, "a secret is in the logs"
        assert secret not in audit, "a secret is in the audit log"
        assert all(secret not in answer for answer in answers), "a secret is in an answer"
