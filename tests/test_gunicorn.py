"""The web process as production runs it: gunicorn with the shipped configuration."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
from apiflask import APIFlask

from app.config import Settings
from tests.conftest import WAIT, account_id, bearer
from tests.support.flows import quote_request
from tests.support.ports import free_port


def test_gunicorn_serves_the_api_with_the_shipped_config(app: APIFlask, settings: Settings) -> None:
    key = bearer(app, "support@example.com")
    account = account_id(app.extensions["contractdesk"], "University")
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "CONTRACTDESK_STORAGE_DIR": str(settings.storage_dir),
        "CONTRACTDESK_INSTANCE_DIR": str(settings.instance_dir),
        "CONTRACTDESK_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "CONTRACTDESK_SECRET_KEY": "gunicorn-test-secret",
    }
    root = Path(__file__).resolve().parent.parent
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(root / "gunicorn.conf.py")],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        ready = httpx.get(f"{base}/readyz", timeout=5)
        assert ready.status_code == 200, ready.text
        created = httpx.post(
            f"{base}/api/v1/documents",
            json=quote_request(account),
            headers={**key, **WAIT},
            timeout=150,
        )
        assert created.status_code == 201, created.text
        assert created.headers["X-Request-ID"]
        pdf = httpx.get(created.json()["files"]["pdf"], headers=key, timeout=10)
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode()
    assert '"level": "INFO"' in output or "Booting worker" in output
