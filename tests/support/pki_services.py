"""A test CA with a real RFC 3161 TSA, OCSP responder and CRLs over HTTP: certomancer's
Animator (a werkzeug app) served on a free loopback port in a thread."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from asn1crypto import pem
from certomancer.integrations.animator import Animator, AnimatorArchStore
from certomancer.registry import ArchLabel, CertLabel, CertomancerConfig
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from tests.support.ports import free_port

ARCH = "testing"
KEYS = ("root", "signer", "revoked", "tsa", "ocsp")


def _config(prefix: str) -> dict[str, Any]:
    revocation_urls = [
        {"id": "authority_information_access",
         "smart-value": {"schema": "aia-urls", "params": {"ocsp-responder-names": ["root"]}}},
        {"id": "crl_distribution_points",
         "smart-value": {"schema": "crl-dist-url", "params": {"crl-repo-names": ["root"]}}},
    ]  # fmt: skip
    leaf_usage = {
        "id": "key_usage",
        "critical": True,
        "smart-value": {"schema": "key-usage", "params": ["digital_signature", "non_repudiation"]},
    }
    validity = {"valid-from": "2020-01-01T00:00:00+0000", "valid-to": "2090-01-01T00:00:00+0000"}
    return {
        "external-url-prefix": prefix,
        "keysets": {"testing": {"keys": {k: {"path": f"{k}.key.pem"} for k in KEYS}}},
        "pki-architectures": {
            ARCH: {
                "keyset": "testing",
                "entity-defaults": {"country-name": "GB", "organization-name": "Test Trust"},
                "entities": {
                    "root": {"common-name": "Test Trust Root CA"},
                    "signer": {"common-name": "Test Publisher"},
                    "revoked": {"common-name": "Revoked Publisher"},
                    "tsa": {"common-name": "Test Timestamping Authority"},
                    "ocsp": {"common-name": "Test OCSP Responder"},
                },
                "certs": {
                    "root": {
                        "subject": "root",
                        "subject-key": "root",
                        "issuer": "root",
                        "authority-key": "root",
                        "validity": validity,
                        "extensions": [
                            {"id": "basic_constraints", "critical": True, "value": {"ca": True}},
                            {
                                "id": "key_usage",
                                "critical": True,
                                "smart-value": {
                                    "schema": "key-usage",
                                    "params": ["digital_signature", "key_cert_sign", "crl_sign"],
                                },
                            },
                        ],
                    },
                    "signer": {
                        "issuer": "root",
                        "validity": validity,
                        "extensions": [leaf_usage, *revocation_urls],
                    },
                    "revoked": {
                        "template": "signer",
                        "subject": "revoked",
                        "subject-key": "revoked",
                        "revocation": {
                            "revoked-since": "2021-01-01T00:00:00+0000",
                            "reason": "key_compromise",
                        },
                    },
                    "tsa": {
                        "issuer": "root",
                        "validity": validity,
                        "extensions": [
                            {
                                "id": "key_usage",
                                "critical": True,
                                "smart-value": {
                                    "schema": "key-usage",
                                    "params": ["digital_signature"],
                                },
                            },
                            {
                                "id": "extended_key_usage",
                                "critical": True,
                                "value": ["time_stamping"],
                            },
                            *revocation_urls,
                        ],
                    },
                    "ocsp": {
                        "issuer": "root",
                        "validity": validity,
                        "extensions": [
                            {
                                "id": "key_usage",
                                "critical": True,
                                "smart-value": {
                                    "schema": "key-usage",
                                    "params": ["digital_signature"],
                                },
                            },
                            {
                                "id": "extended_key_usage",
                                "critical": True,
                                "value": ["ocsp_signing"],
                            },
                            {"id": "ocsp_no_check"},
                        ],
                    },
                },
                "services": {
                    "ocsp": {
                        "root": {
                            "for-issuer": "root",
                            "responder-cert": "ocsp",
                            "signing-key": "ocsp",
                        }
                    },
                    "crl-repo": {
                        "root": {
                            "for-issuer": "root",
                            "signing-key": "root",
                            "simulated-update-schedule": "P30D",
                        }
                    },
                    "time-stamping": {"tsa": {"signing-key": "tsa", "signing-cert": "tsa"}},
                },
            }
        },
    }


class _Quiet(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class _Server:
    """One werkzeug server of the Animator on a fixed loopback port, stopped and started
    again at will."""

    def __init__(self, app: Animator, port: int) -> None:
        self.app = app
        self.port = port
        self._server: BaseWSGIServer | None = None

    def start(self) -> None:
        self._server = make_server(
            "127.0.0.1", self.port, self.app, threaded=True, request_handler=_Quiet
        )
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


class PkiServices:
    """The test CA's services: OCSP, CRLs and certificates on one port (the addresses the
    certificates name), the TSA on another, so that either can be taken down."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.keys: dict[str, bytes] = {}
        for name in KEYS:
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            pem = key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            (folder / f"{name}.key.pem").write_bytes(pem)
            self.keys[name] = pem
        self.url = f"http://127.0.0.1:{free_port()}"
        config = CertomancerConfig(_config(self.url), key_search_dir=str(folder))
        self.arch = config.get_pki_arch(ArchLabel(ARCH))
        app = Animator(AnimatorArchStore(config.pki_archs), with_web_ui=False)
        self.revocation = _Server(app, int(self.url.rsplit(":", 1)[1]))
        self.tsa = _Server(app, free_port())

    @property
    def tsa_url(self) -> str:
        return f"http://127.0.0.1:{self.tsa.port}/{ARCH}/tsa/tsa"

    def cert_pem(self, label: str) -> bytes:
        return bytes(pem.armor("CERTIFICATE", self.arch.get_cert(CertLabel(label)).dump()))

    def install_signer(self, instance_dir: Path, label: str = "signer") -> None:
        """The operator's setup in production: a CA-issued signing certificate, its key and
        the chain above it in the instance folder."""
        instance_dir.mkdir(parents=True, exist_ok=True)
        (instance_dir / "signing-cert.pem").write_bytes(self.cert_pem(label))
        (instance_dir / "signing-key.pem").write_bytes(self.keys[label])
        (instance_dir / "signing-chain.pem").write_bytes(self.cert_pem("root"))

    def start(self) -> PkiServices:
        self.revocation.start()
        self.tsa.start()
        return self

    def stop(self) -> None:
        self.revocation.stop()
        self.tsa.stop()
