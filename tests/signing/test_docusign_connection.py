"""The DocuSign connection: JWT grant and userinfo through the real SDK, over HTTPS, against
the emulator; `contractdesk docusign check` says plainly what is wrong."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.config import Settings
from app.signing.docusign.connection import DocuSignConnection
from tests.support.docusign_emulator import DocuSignEmulator


def _settings(docusign: DocuSignEmulator, key_file: Path, integration: str, user: str) -> Settings:
    return Settings(
        signing="docusign",
        docusign_integration_key=integration,
        docusign_user_id=user,
        docusign_private_key_file=key_file,
        docusign_oauth_host=docusign.host,
        docusign_ca_bundle=docusign.ca.ca_file,
    )


def _check(settings: Settings) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "CONTRACTDESK_SIGNING": "docusign",
        "DOCUSIGN_INTEGRATION_KEY": settings.docusign_integration_key,
        "DOCUSIGN_USER_ID": settings.docusign_user_id,
        "DOCUSIGN_PRIVATE_KEY_FILE": str(settings.docusign_private_key_file),
        "DOCUSIGN_OAUTH_HOST": settings.docusign_oauth_host,
        "DOCUSIGN_CA_BUNDLE": str(settings.docusign_ca_bundle or ""),
    }
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "docusign", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_check_finds_the_account_with_one_token_and_one_userinfo_call(
    docusign: DocuSignEmulator, tmp_path: Path
) -> None:
    user = docusign.add_user()
    integration, private_key = docusign.add_integration(consented_user=user)
    key_file = tmp_path / "key.pem"
    key_file.write_bytes(private_key)
    before = docusign.state.calls.copy()

    result = _check(_settings(docusign, key_file, integration, user))
    assert result.returncode == 0, result.stderr
    account = docusign.state.users[user]["account_id"]
    assert f"({account}) at {docusign.base_uri}" in result.stdout
    calls = docusign.state.calls - before
    assert (calls["oauth/token"], calls["oauth/userinfo"]) == (1, 1)


def test_the_token_is_kept_until_shortly_before_it_expires(
    docusign: DocuSignEmulator, tmp_path: Path
) -> None:
    user = docusign.add_user()
    integration, private_key = docusign.add_integration(consented_user=user)
    key_file = tmp_path / "key.pem"
    key_file.write_bytes(private_key)
    connection = DocuSignConnection(_settings(docusign, key_file, integration, user))
    before = docusign.state.calls["oauth/token"]
    first, account = connection.api_client()
    second, _ = connection.api_client()
    assert docusign.state.calls["oauth/token"] - before == 1
    assert second.default_headers["Authorization"] == first.default_headers["Authorization"]
    assert first.host == f"{docusign.base_uri}/restapi"
    assert account == docusign.state.users[user]["account_id"]

    access = connection.access()
    object.__setattr__(access, "expires_at", access.expires_at - 3400)  # 200 s left
    connection.api_client()
    assert docusign.state.calls["oauth/token"] - before == 2


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("no-consent", "has not granted consent to integration"),
        ("wrong-key", "does not match any RSA key of integration"),
        ("unknown-integration", "does not know the integration key"),
        ("wrong-host", "cannot reach DocuSign at 127.0.0.1:9"),
        ("untrusted", "cannot reach DocuSign"),
        ("unset", "set DOCUSIGN_INTEGRATION_KEY"),
    ],
)
def test_check_says_what_is_wrong(
    docusign: DocuSignEmulator, tmp_path: Path, case: str, message: str
) -> None:
    user = docusign.add_user()
    integration, private_key = docusign.add_integration(
        consented_user=None if case == "no-consent" else user
    )
    if case == "wrong-key":
        _, private_key = docusign.add_integration(consented_user=user)
    key_file = tmp_path / "key.pem"
    key_file.write_bytes(private_key)
    settings = _settings(docusign, key_file, integration, user)
    if case == "unknown-integration":
        settings = settings.model_copy(update={"docusign_integration_key": "not-registered"})
    elif case == "wrong-host":
        settings = settings.model_copy(update={"docusign_oauth_host": "127.0.0.1:9"})
    elif case == "untrusted":
        settings = settings.model_copy(update={"docusign_ca_bundle": None})
    elif case == "unset":
        settings = settings.model_copy(update={"docusign_integration_key": ""})
    result = _check(settings)
    assert result.returncode != 0
    assert message in result.stderr, result.stderr
