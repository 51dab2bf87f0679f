"""The service set up to sign through the DocuSign emulator, served on a real port so that
Connect can post its events to it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from apiflask import APIFlask
from werkzeug.serving import make_server

from tests.conftest import build_app, make_settings
from tests.support.docusign_emulator import DocuSignEmulator

KEYS = ["connect-key-old", "connect-key-new"]


@dataclass
class Desk:
    app: APIFlask
    url: str
    docusign: DocuSignEmulator
    account_id: str

    @property
    def runtime(self) -> Any:
        return self.app.extensions["contractdesk"]

    def wait(self) -> None:
        self.runtime.jobs.wait_idle()


@contextmanager
def docusign_desk(
    docusign: DocuSignEmulator,
    postgres_url: str,
    tmp_path: Path,
    instance_dir: Path,
    **extra: Any,
) -> Iterator[Desk]:
    """A user and a consented integration at the emulator, an app using them, and
    Connect pointed at the app (signing with the newer of two HMAC keys)."""
    user = docusign.add_user()
    integration, private_key = docusign.add_integration(consented_user=user)
    key_file = tmp_path / "docusign-key.pem"
    key_file.write_bytes(private_key)
    settings = make_settings(
        postgres_url,
        tmp_path,
        instance_dir,
        signing="docusign",
        docusign_integration_key=integration,
        docusign_user_id=user,
        docusign_private_key_file=key_file,
        docusign_oauth_host=docusign.host,
        docusign_ca_bundle=docusign.ca.ca_file,
        docusign_connect_hmac_keys=",".join(KEYS),
        **extra,
    )
    app = build_app(settings)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    docusign.connect(f"{url}/api/v1/webhooks/docusign", [KEYS[1]])
    try:
        yield Desk(app, url, docusign, docusign.state.users[user]["account_id"])
    finally:
        server.shutdown()
        app.extensions["contractdesk"].close()
