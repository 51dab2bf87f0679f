"""A local stand-in for DocuSign's eSignature REST API, for the test suite only.

It serves HTTPS with a certificate from a throw-away CA (the SDK builds `https://` URLs
for the OAuth host), answers in DocuSign's documented shapes, and keeps a count of every
call so that tests can assert how many the service made. Nothing in the product knows it
is talking to an emulator.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from flask import Flask, jsonify, request
from werkzeug.serving import make_server


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _public_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


@dataclass(frozen=True)
class TestCA:
    """A CA made for one test run, and a server certificate it signed for 127.0.0.1."""

    ca_file: Path
    cert_file: Path
    key_file: Path


def make_test_ca(folder: Path) -> TestCA:
    now = dt.datetime.now(dt.UTC)
    ca_key, server_key = _key(), _key()
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Contract Desk test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    server = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    paths = TestCA(folder / "ca.pem", folder / "server.pem", folder / "server-key.pem")
    paths.ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths.cert_file.write_bytes(server.public_bytes(serialization.Encoding.PEM))
    paths.key_file.write_bytes(_pem(server_key))
    return paths


@dataclass
class Integration:
    key: str
    public_key: bytes
    consented: set[str] = field(default_factory=set)


@dataclass
class EmulatorState:
    integrations: dict[str, Integration] = field(default_factory=dict)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: dict[str, tuple[str, float]] = field(default_factory=dict)
    calls: Counter[str] = field(default_factory=Counter)


class DocuSignEmulator:
    def __init__(self, ca: TestCA) -> None:
        self.ca = ca
        self.state = EmulatorState()
        self.app = self._build_app()
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(ca.cert_file, ca.key_file)
        self._server = make_server("127.0.0.1", 0, self.app, threaded=True, ssl_context=context)
        self.port = self._server.server_port
        self.host = f"127.0.0.1:{self.port}"
        self.base_uri = f"https://{self.host}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> DocuSignEmulator:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()

    # --- set-up, as a DocuSign administrator would ------------------------------------

    def add_integration(self, *, consented_user: str | None = None) -> tuple[str, bytes]:
        """Register an integration key with a new RSA key pair; its private key PEM."""
        key = _key()
        integration = Integration(str(uuid.uuid4()), _public_pem(key))
        if consented_user:
            integration.consented.add(consented_user)
        self.state.integrations[integration.key] = integration
        return integration.key, _pem(key)

    def add_user(self, *, name: str = "Contract Desk Service") -> str:
        user_id = str(uuid.uuid4())
        self.state.users[user_id] = {
            "name": name,
            "email": "service@example.com",
            "account_id": str(uuid.uuid4()),
            "account_name": "Contract Desk Publishing Ltd",
        }
        return user_id

    # --- the API -------------------------------------------------------------------------

    def _build_app(self) -> Flask:
        app = Flask("docusign-emulator")
        state = self.state

        def oauth_error(error: str, description: str = "") -> Any:
            body = {"error": error}
            if description:
                body["error_description"] = description
            return jsonify(body), 400

        @app.post("/oauth/token")
        def token() -> Any:
            state.calls["oauth/token"] += 1
            if request.form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
                return oauth_error("unsupported_grant_type")
            assertion = request.form.get("assertion", "")
            try:
                claims = jwt.decode(assertion, options={"verify_signature": False})
            except jwt.PyJWTError:
                return oauth_error("invalid_request")
            integration = state.integrations.get(str(claims.get("iss")))
            if integration is None:
                return oauth_error("invalid_grant", "issuer_not_found")
            try:
                claims = jwt.decode(
                    assertion, integration.public_key, algorithms=["RS256"], audience=self.host
                )
            except jwt.InvalidAudienceError:
                return oauth_error("invalid_grant", "audience_invalid")
            except jwt.PyJWTError:
                return oauth_error("invalid_grant", "no_valid_keys_or_signatures")
            user_id = str(claims.get("sub"))
            if user_id not in state.users:
                return oauth_error("invalid_grant", "user_not_found")
            if user_id not in integration.consented:
                return oauth_error("consent_required")
            access_token = f"emu-{uuid.uuid4().hex}"
            state.tokens[access_token] = (user_id, time.time() + 3600)
            return jsonify(
                {"access_token": access_token, "token_type": "Bearer", "expires_in": 3600}
            )

        def bearer_user() -> str | None:
            header = request.headers.get("Authorization", "")
            token = header.removeprefix("Bearer ").strip()
            found = state.tokens.get(token)
            if found is None or found[1] < time.time():
                return None
            return found[0]

        @app.get("/oauth/userinfo")
        def userinfo() -> Any:
            state.calls["oauth/userinfo"] += 1
            user_id = bearer_user()
            if user_id is None:
                return jsonify({"error": "invalid_token"}), 401
            user = state.users[user_id]
            return jsonify(
                {
                    "sub": user_id,
                    "name": user["name"],
                    "email": user["email"],
                    "accounts": [
                        {
                            "account_id": user["account_id"],
                            "is_default": True,
                            "account_name": user["account_name"],
                            "base_uri": self.base_uri,
                        }
                    ],
                }
            )

        return app
