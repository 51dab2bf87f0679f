"""The service's own small certificate authority, made by `contractdesk init`.

A root that a relying party is told to trust (its fingerprint is printed by `init`), the
signing certificate it issues, and a timestamping certificate for the local timestamper
used when no TSA is configured. The timestamping certificate says in its name that it is
not a qualified TSA. Production replaces the signing certificate, key and chain with ones
from a CA the relying parties already trust, and sets `CONTRACTDESK_TSA_URL`.

The local CA runs no OCSP responder, so its certificates carry no OCSP or CRL address; a
validator with hard-fail revocation accepts a certificate that declares none.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

LOCAL_TSA_NAME = "Contract Desk local timestamping key (not a qualified TSA)"
LOCAL_ROOT_NAME = "Contract Desk local signing root"


@dataclass(frozen=True)
class PkiPaths:
    """Where the signing material lives in the instance folder."""

    instance_dir: Path

    @property
    def root_cert(self) -> Path:
        return self.instance_dir / "signing-root.pem"

    @property
    def root_key(self) -> Path:
        return self.instance_dir / "signing-root-key.pem"

    @property
    def signing_cert(self) -> Path:
        return self.instance_dir / "signing-cert.pem"

    @property
    def signing_key(self) -> Path:
        return self.instance_dir / "signing-key.pem"

    @property
    def chain(self) -> Path:
        """The CA certificates above the signing certificate, embedded in each signature."""
        return self.instance_dir / "signing-chain.pem"

    @property
    def tsa_cert(self) -> Path:
        return self.instance_dir / "timestamp-cert.pem"

    @property
    def tsa_key(self) -> Path:
        return self.instance_dir / "timestamp-key.pem"


Key = ec.EllipticCurvePrivateKey
AnyKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


def _key() -> Key:
    """ECDSA P-256: as strong as RSA 3072 and loaded in microseconds rather than the
    quarter of a second an RSA key's check takes, which every seal would pay."""
    return ec.generate_private_key(ec.SECP256R1())


def _tsa_key() -> rsa.RSAPrivateKey:
    """pyHanko's local timestamper signs with RSA only."""
    return rsa.generate_private_key(public_exponent=65537, key_size=3072)


def _load_key(path: Path) -> Key:
    key = serialization.load_pem_private_key(path.read_bytes(), None)
    assert isinstance(key, ec.EllipticCurvePrivateKey), f"{path} is not the local CA's key"
    return key


def _write_key(path: Path, key: AnyKey) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )


def _name(common_name: str, organisation: str) -> x509.Name:
    """X.509 allows 64 characters for either; a longer seller name is cut there."""
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation[:64]),
        ]
    )


def _usage(*, sign: bool = False, commit: bool = False, ca: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign,
        content_commitment=commit,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def _issue(
    subject: x509.Name,
    key: AnyKey,
    *,
    issuer: x509.Certificate | None,
    issuer_key: Key,
    days: int,
    ca: bool = False,
    eku: x509.ObjectIdentifier | None = None,
) -> x509.Certificate:
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
        .add_extension(
            _usage(ca=True, sign=True) if ca else _usage(sign=True, commit=eku is None),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    if eku is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage([eku]), critical=True)
    return builder.sign(issuer_key, hashes.SHA256())


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def ensure_local_pki(instance_dir: Path, *, organisation: str) -> list[Path]:
    """Make what is missing of the local CA: the root, a signing certificate it issues
    (only when no signing certificate is there: one configured by the operator stays) and
    the local timestamping certificate. Returns the files made."""
    paths = PkiPaths(instance_dir)
    made: list[Path] = []
    signing = paths.signing_cert.exists() and paths.signing_key.exists()
    timestamping = paths.tsa_cert.exists() and paths.tsa_key.exists()
    if paths.root_cert.exists() and paths.root_key.exists():
        if signing and timestamping:
            return made
        root = x509.load_pem_x509_certificate(paths.root_cert.read_bytes())
        root_key = _load_key(paths.root_key)
    else:
        root_key = _key()
        root = _issue(
            _name(LOCAL_ROOT_NAME, organisation),
            root_key,
            issuer=None,
            issuer_key=root_key,
            days=365 * 25,
            ca=True,
        )
        _write_key(paths.root_key, root_key)
        paths.root_cert.write_bytes(_pem(root))
        made += [paths.root_cert, paths.root_key]
    if not signing:
        key = _key()
        cert = _issue(
            _name(organisation, organisation),
            key,
            issuer=root,
            issuer_key=root_key,
            days=365 * 10,
        )
        _write_key(paths.signing_key, key)
        paths.signing_cert.write_bytes(_pem(cert))
        paths.chain.write_bytes(_pem(root))
        made += [paths.signing_cert, paths.signing_key, paths.chain]
    if not timestamping:
        tsa_key = _tsa_key()
        cert = _issue(
            _name(LOCAL_TSA_NAME, organisation),
            tsa_key,
            issuer=root,
            issuer_key=root_key,
            days=365 * 12,
            eku=ExtendedKeyUsageOID.TIME_STAMPING,
        )
        _write_key(paths.tsa_key, tsa_key)
        paths.tsa_cert.write_bytes(_pem(cert))
        made += [paths.tsa_cert, paths.tsa_key]
    return made


def trust_roots(instance_dir: Path) -> list[x509.Certificate]:
    """What this service's relying party trusts: the local root, the CA chain configured
    with the signing certificate (its last certificate is the root), and a self-signed
    signing certificate of an older install."""
    paths = PkiPaths(instance_dir)
    roots: list[x509.Certificate] = []
    for path in (paths.root_cert, paths.chain):
        if path.exists():
            roots += x509.load_pem_x509_certificates(path.read_bytes())
    if paths.signing_cert.exists():
        cert = x509.load_pem_x509_certificate(paths.signing_cert.read_bytes())
        if cert.issuer == cert.subject:
            roots.append(cert)
    unique = list(dict.fromkeys(roots))
    return [c for c in unique if c.issuer == c.subject] or unique


def fresh_crl(instance_dir: Path, *, days: int = 7) -> bytes | None:
    """A CRL of the local root, issued now, listing nothing revoked (DER), or None when
    there is no local root. Sealing puts it in the DSS: the local CA runs no responder, and
    a relying party validating PAdES B-LTA needs revocation status for every certificate."""
    paths = PkiPaths(instance_dir)
    if not (paths.root_cert.exists() and paths.root_key.exists()):
        return None
    root = x509.load_pem_x509_certificate(paths.root_cert.read_bytes())
    key = _load_key(paths.root_key)
    now = datetime.now(UTC)
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(root.subject)
        .last_update(now - timedelta(minutes=1))
        .next_update(now + timedelta(days=days))
        .add_extension(x509.CRLNumber(int(now.timestamp() * 1000)), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    return crl.public_bytes(serialization.Encoding.DER)
