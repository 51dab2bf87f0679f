"""The embedded default's local CA: what `contractdesk init` makes, and what is trusted."""

from __future__ import annotations

import stat
from pathlib import Path

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from app.signing.local_ca import (
    LOCAL_ROOT_NAME,
    LOCAL_TSA_NAME,
    PkiPaths,
    ensure_local_pki,
    trust_roots,
)
from app.signing.pdf_signature import ensure_service_certificate


def _cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def _cn(name: x509.Name) -> str:
    return str(name.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value)


def test_init_makes_a_root_a_signing_and_a_timestamping_certificate(tmp_path: Path) -> None:
    paths = PkiPaths(tmp_path)
    made = ensure_local_pki(tmp_path, organisation="Test Publisher")
    assert set(made) == {
        paths.root_cert,
        paths.root_key,
        paths.signing_cert,
        paths.signing_key,
        paths.chain,
        paths.tsa_cert,
        paths.tsa_key,
    }
    root, signing, tsa = (_cert(p) for p in (paths.root_cert, paths.signing_cert, paths.tsa_cert))
    assert root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert signing.issuer == root.subject and tsa.issuer == root.subject
    signing.verify_directly_issued_by(root)
    tsa.verify_directly_issued_by(root)
    assert _cn(tsa.subject) == LOCAL_TSA_NAME
    assert _cn(signing.subject) == "Test Publisher"
    usage = tsa.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert usage.critical and list(usage.value) == [ExtendedKeyUsageOID.TIME_STAMPING]
    for key in (paths.root_key, paths.signing_key, paths.tsa_key):
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert [_cn(c.subject) for c in trust_roots(tmp_path)] == [_cn(root.subject)]
    assert ensure_local_pki(tmp_path, organisation="Test Publisher") == []


def test_an_older_self_signed_certificate_is_kept_and_trusted(tmp_path: Path) -> None:
    paths = PkiPaths(tmp_path)
    ensure_service_certificate(paths.signing_cert, paths.signing_key, common_name="Old Publisher")
    before = paths.signing_cert.read_bytes()
    made = ensure_local_pki(tmp_path, organisation="Old Publisher")
    assert paths.signing_cert not in made
    assert paths.signing_cert.read_bytes() == before
    roots = {_cn(c.subject) for c in trust_roots(tmp_path)}
    assert roots == {"Old Publisher", LOCAL_ROOT_NAME}


def test_a_long_seller_name_is_cut_to_what_x509_allows(tmp_path: Path) -> None:
    seller = "The Very Long Name of a University Press and Its Learned Societies Ltd"
    ensure_local_pki(tmp_path, organisation=seller)
    signing = _cert(PkiPaths(tmp_path).signing_cert)
    assert _cn(signing.subject) == seller[:64]
