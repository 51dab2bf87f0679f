"""The DocuSign SDK's connections pass the same guard: an OAuth host (or a base URI from
DocuSign's answer) that points inward is refused before the token request leaves."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from app.config import Settings
from app.errors import Unavailable
from app.signing.docusign.connection import DocuSignConnection
from tests.outbound.conftest import Server


def test_an_oauth_host_inside_the_network_is_refused(
    tmp_path: Path, internal_service: Server
) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_file = tmp_path / "key.pem"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    settings = Settings(
        signing="docusign",
        docusign_integration_key="integration",
        docusign_user_id="user",
        docusign_private_key_file=key_file,
        docusign_oauth_host=f"127.0.0.2:{internal_service.port}",
        outbound_allow="",
    )
    with pytest.raises(Unavailable, match=r"refused: 127\.0\.0\.2 is a loopback address"):
        DocuSignConnection(settings).check()
    assert internal_service.hits == []
