"""A local stand-in for DocuSign's eSignature REST API, for the test suite only.

It serves HTTPS with a certificate from a throw-away CA (the SDK builds `https://` URLs
for the OAuth host), answers in DocuSign's documented shapes, and keeps a count of every
call so that tests can assert how many the service made. Nothing in the product knows it
is talking to an emulator.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import io
import ipaddress
import json
import ssl
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from flask import Flask, jsonify, request
from pypdf import PdfReader, PdfWriter
from weasyprint import HTML
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
class Envelope:
    envelope_id: str
    account_id: str
    definition: dict[str, Any]
    status: str = "sent"
    changed_at: str = ""
    voided_reason: str = ""
    resent: int = 0
    completed: set[str] = field(default_factory=set)
    history: list[tuple[str, str]] = field(default_factory=list)

    @property
    def signers(self) -> list[dict[str, Any]]:
        recipients = self.definition.get("recipients") or {}
        return sorted(recipients.get("signers") or [], key=lambda s: int(s["routingOrder"]))


@dataclass
class Fault:
    path: str
    status: int
    retry_after: int | None
    times: int


@dataclass
class Stall:
    path: str
    seconds: float
    times: int


@dataclass
class EmulatorState:
    integrations: dict[str, Integration] = field(default_factory=dict)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: dict[str, tuple[str, float]] = field(default_factory=dict)
    calls: Counter[str] = field(default_factory=Counter)
    envelopes: dict[str, Envelope] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    stalls: list[Stall] = field(default_factory=list)
    connect_url: str = ""
    connect_keys: list[str] = field(default_factory=list)
    connect_paused: bool = False
    signing_groups: dict[str, dict[str, str]] = field(default_factory=dict)
    undelivered: list[bytes] = field(default_factory=list)
    polled: list[str] = field(default_factory=list)


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

        def fault(name: str) -> Any:
            for item in state.faults:
                if item.path == name and item.times > 0:
                    item.times -= 1
                    body = {"errorCode": "EMULATED_FAULT", "message": f"status {item.status}"}
                    headers = {"Retry-After": str(item.retry_after)} if item.retry_after else {}
                    return jsonify(body), item.status, headers
            return None

        def stall(name: str) -> None:
            for item in state.stalls:
                if item.path == name and item.times > 0:
                    item.times -= 1
                    time.sleep(item.seconds)
                    return

        def account_user(account_id: str) -> str | None:
            user_id = bearer_user()
            if user_id is None or state.users[user_id]["account_id"] != account_id:
                return None
            return user_id

        def unauthorised() -> Any:
            return jsonify({"errorCode": "USER_AUTHENTICATION_FAILED", "message": "token"}), 401

        @app.post("/restapi/v2.1/accounts/<account_id>/envelopes")
        def create_envelope(account_id: str) -> Any:
            state.calls["envelopes/create"] += 1
            if account_user(account_id) is None:
                return unauthorised()
            failed = fault("envelopes/create")
            if failed is not None:
                return failed
            definition = request.get_json()
            envelope = Envelope(str(uuid.uuid4()), account_id, definition, changed_at=_now())
            state.envelopes[envelope.envelope_id] = envelope
            stall("envelopes/create")  # made, but the answer comes late
            return jsonify(
                {
                    "envelopeId": envelope.envelope_id,
                    "status": "sent",
                    "statusDateTime": _now(),
                    "uri": f"/envelopes/{envelope.envelope_id}",
                }
            ), 201

        @app.put("/restapi/v2.1/accounts/<account_id>/envelopes/<envelope_id>")
        def update_envelope(account_id: str, envelope_id: str) -> Any:
            resend = request.args.get("resend_envelope") == "true"
            state.calls["envelopes/resend" if resend else "envelopes/update"] += 1
            if account_user(account_id) is None:
                return unauthorised()
            envelope = state.envelopes.get(envelope_id)
            if envelope is None:
                return jsonify({"errorCode": "ENVELOPE_DOES_NOT_EXIST"}), 400
            changes = request.get_json(silent=True) or {}
            if changes.get("status") == "voided":
                if envelope.status != "sent":
                    return jsonify({"errorCode": "ENVELOPE_CANNOT_VOID_INVALID_STATE"}), 400
                envelope.status, envelope.changed_at = "voided", _now()
                envelope.voided_reason = changes.get("voidedReason", "")
            if resend:
                envelope.resent += 1
            return jsonify({"envelopeId": envelope_id})

        @app.post("/restapi/v2.1/accounts/<account_id>/envelopes/<envelope_id>/views/recipient")
        def recipient_view(account_id: str, envelope_id: str) -> Any:
            state.calls["views/recipient"] += 1
            if account_user(account_id) is None:
                return unauthorised()
            envelope = state.envelopes.get(envelope_id)
            view = request.get_json() or {}
            signer = next(
                (
                    s
                    for s in (envelope.signers if envelope else [])
                    if s.get("clientUserId") == view.get("clientUserId")
                    and s.get("email") == view.get("email")
                    and s.get("name") == view.get("userName")
                ),
                None,
            )
            if envelope is None or signer is None or not view.get("clientUserId"):
                return jsonify({"errorCode": "UNKNOWN_ENVELOPE_RECIPIENT"}), 400
            return jsonify(
                {"url": f"{self.base_uri}/signing/{envelope_id}/{signer['recipientId']}"}
            ), 201

        @app.get("/restapi/v2.1/accounts/<account_id>/signing_groups")
        def signing_groups(account_id: str) -> Any:
            state.calls["signing_groups/list"] += 1
            if account_user(account_id) is None:
                return unauthorised()
            groups = state.signing_groups.get(account_id, {})
            return jsonify(
                {
                    "groups": [
                        {
                            "signingGroupId": group_id,
                            "groupName": name,
                            "groupType": "sharedSigningGroup",
                        }
                        for name, group_id in groups.items()
                    ]
                }
            )

        @app.get("/restapi/v2.1/accounts/<account_id>/envelopes")
        def list_status_changes(account_id: str) -> Any:
            state.calls["envelopes/list_status_changes"] += 1
            if account_user(account_id) is None:
                return unauthorised()
            failed = fault("envelopes/list_status_changes")
            if failed is not None:
                return failed
            ids = [i for i in request.args.get("envelope_ids", "").split(",") if i]
            transactions = [t for t in request.args.get("transaction_ids", "").split(",") if t]
            if not ids and not transactions and not request.args.get("from_date"):
                return jsonify({"errorCode": "INVALID_REQUEST_PARAMETER"}), 400
            state.polled.extend(ids)
            found = [
                e
                for e in state.envelopes.values()
                if e.account_id == account_id
                and (e.envelope_id in ids or e.definition.get("transactionId") in transactions)
            ]
            return jsonify(
                {
                    "resultSetSize": str(len(found)),
                    "totalSetSize": str(len(found)),
                    "envelopes": [
                        {
                            "envelopeId": e.envelope_id,
                            "status": e.status,
                            "statusChangedDateTime": e.changed_at,
                            "transactionId": e.definition.get("transactionId"),
                            "voidedReason": e.voided_reason or None,
                        }
                        for e in found
                    ],
                }
            )

        @app.get("/restapi/v2.1/accounts/<account_id>/envelopes/<envelope_id>/documents/<doc>")
        def get_document(account_id: str, envelope_id: str, doc: str) -> Any:
            state.calls[f"documents/{doc}"] += 1
            if account_user(account_id) is None:
                return unauthorised()
            failed = fault(f"documents/{doc}")
            if failed is not None:
                return failed
            stall(f"documents/{doc}")
            envelope = state.envelopes.get(envelope_id)
            if envelope is None:
                return jsonify({"errorCode": "ENVELOPE_DOES_NOT_EXIST"}), 400
            if doc == "combined":
                pdf = _combined(envelope)
            elif doc == "certificate":
                pdf = _certificate(envelope)
            else:
                return jsonify({"errorCode": "INVALID_DOCUMENT_ID"}), 400
            return pdf, 200, {"Content-Type": "application/pdf"}

        return app

    # --- what signers and administrators do at DocuSign, for tests -----------------------

    def fail_next(
        self, path: str, status: int, *, retry_after: int | None = None, times: int = 1
    ) -> None:
        """Answer the next `times` calls to `path` (e.g. "envelopes/create") with an error."""
        self.state.faults.append(Fault(path, status, retry_after, times))

    def stall_next(self, path: str, seconds: float, *, times: int = 1) -> None:
        """Answer the next `times` calls to `path` only after `seconds` (a call to
        "envelopes/create" still makes the envelope: only the answer is late)."""
        self.state.stalls.append(Stall(path, seconds, times))

    def add_signing_group(self, account_id: str, name: str) -> str:
        group_id = str(len(self.state.signing_groups.get(account_id, {})) + 1000)
        self.state.signing_groups.setdefault(account_id, {})[name] = group_id
        return group_id

    def connect(self, url: str, keys: list[str]) -> None:
        """Where Connect posts events, and the HMAC keys it signs them with. The emulator
        lives for the whole run, so a new desk starts from a DocuSign that works: Connect
        delivering, nothing held back, no fault or stall an earlier test left waiting."""
        self.state.connect_url, self.state.connect_keys = url, keys
        self.state.connect_paused = False
        self.state.undelivered.clear()
        self.state.faults.clear()
        self.state.stalls.clear()

    def sign(self, envelope_id: str, recipient_id: str) -> list[httpx.Response | None]:
        """The recipient signs (in routing order); Connect posts what happened."""
        envelope = self.state.envelopes[envelope_id]
        signer = next(s for s in envelope.signers if s["recipientId"] == recipient_id)
        earlier = [
            s for s in envelope.signers if int(s["routingOrder"]) < int(signer["routingOrder"])
        ]
        if any(s["recipientId"] not in envelope.completed for s in earlier):
            raise AssertionError(f"recipient {recipient_id} signs before their turn")
        envelope.completed.add(recipient_id)
        envelope.history.append((signer["name"], _now()))
        answers = [self.post_event(envelope, "recipient-completed", recipient_id=recipient_id)]
        if all(s["recipientId"] in envelope.completed for s in envelope.signers):
            envelope.status, envelope.changed_at = "completed", _now()
            answers.append(self.post_event(envelope, "envelope-completed"))
        return answers

    def decline(self, envelope_id: str, recipient_id: str, reason: str) -> httpx.Response | None:
        envelope = self.state.envelopes[envelope_id]
        envelope.status, envelope.changed_at = "declined", _now()
        return self.post_event(envelope, "envelope-declined", declined=(recipient_id, reason))

    def event_body(
        self,
        envelope: Envelope,
        event: str,
        *,
        recipient_id: str | None = None,
        declined: tuple[str, str] | None = None,
        generated: str | None = None,
    ) -> bytes:
        signers = [
            {
                "recipientId": s["recipientId"],
                "name": s["name"],
                "email": s["email"],
                "status": "completed" if s["recipientId"] in envelope.completed else "sent",
                **(
                    {"declinedReason": declined[1], "status": "declined"}
                    if declined and declined[0] == s["recipientId"]
                    else {}
                ),
            }
            for s in envelope.signers
        ]
        data: dict[str, Any] = {
            "accountId": envelope.account_id,
            "userId": next(
                user_id
                for user_id, user in self.state.users.items()
                if user["account_id"] == envelope.account_id
            ),
            "envelopeId": envelope.envelope_id,
            "envelopeSummary": {
                "status": envelope.status,
                "emailSubject": envelope.definition.get("emailSubject", ""),
                "recipients": {"signers": signers},
            },
        }
        if recipient_id is not None:
            data["recipientId"] = recipient_id
        message = {
            "event": event,
            "apiVersion": "v2.1",
            "uri": f"/restapi/v2.1/accounts/{envelope.account_id}/envelopes/{envelope.envelope_id}",
            "retryCount": 0,
            "configurationId": 10001,
            "generatedDateTime": generated or _now(),
            "data": data,
        }
        return json.dumps(message).encode()

    def post_event(self, envelope: Envelope, event: str, **details: Any) -> httpx.Response | None:
        """Post the event; while Connect is paused (an outage at DocuSign or on the way),
        keep it undelivered instead."""
        body = self.event_body(envelope, event, **details)
        if self.state.connect_paused:
            self.state.undelivered.append(body)
            return None
        return self.deliver(body)

    def deliver(self, body: bytes, *, keys: list[str] | None = None) -> httpx.Response:
        """Post a Connect message as Connect does: one signature header per key."""
        headers = {"Content-Type": "application/json", "X-Authorization-Digest": "HMACSHA256"}
        for n, key in enumerate(self.state.connect_keys if keys is None else keys, start=1):
            digest = hmac.new(key.encode(), body, hashlib.sha256).digest()
            headers[f"X-DocuSign-Signature-{n}"] = base64.b64encode(digest).decode()
        return httpx.post(self.state.connect_url, content=body, headers=headers, timeout=30)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _page(html: str) -> bytes:
    return HTML(string=html).write_pdf() or b""


def _combined(envelope: Envelope) -> bytes:
    """The document as sent, with a page recording who signed when (as DocuSign stamps it)."""
    writer = PdfWriter()
    for document in envelope.definition.get("documents") or []:
        writer.append(PdfReader(io.BytesIO(base64.b64decode(document["documentBase64"]))))
    rows = "".join(f"<li>{name} signed at {when}</li>" for name, when in envelope.history)
    stamp = _page(
        f"<h1>Signed through DocuSign</h1><p>Envelope {envelope.envelope_id}</p><ul>{rows}</ul>"
    )
    writer.append(PdfReader(io.BytesIO(stamp)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _certificate(envelope: Envelope) -> bytes:
    rows = "".join(f"<tr><td>{name}</td><td>{when}</td></tr>" for name, when in envelope.history)
    return _page(
        "<h1>Certificate Of Completion</h1>"
        f"<p>Envelope Id: {envelope.envelope_id}</p><p>Status: {envelope.status}</p>"
        f"<table>{rows}</table>"
    )
