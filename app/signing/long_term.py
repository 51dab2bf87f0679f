"""PAdES B-LTA: sealing with a signature timestamp, validation data and a document
timestamp; extending the timestamp chain; and checking a signed PDF as a relying party does.

A relying party trusts the signing root (see local_ca.py) and nothing else, fetches
nothing (every certificate, OCSP answer and CRL it needs is in the document's DSS) and
requires the revocation status of every certificate that declares where to find it.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import requests
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate, AdESPassed
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.general import NonexistentAttributeError, SigningError, find_unique_cms_attribute
from pyhanko.sign.signers.pdf_signer import PdfTimeStamper
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.ades import ades_lta_validation
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.errors import NoDSSFoundError
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.policy_decl import (
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError
from pyhanko_certvalidator.policy_decl import (
    CertRevTrustPolicy,
    RevocationCheckingPolicy,
    RevocationCheckingRule,
)
from pyhanko_certvalidator.registry import SimpleTrustManager

from app.config import Settings
from app.errors import Unavailable
from app.outbound import Guard, guard_for
from app.signing.local_ca import PkiPaths, ensure_local_pki, fresh_crl, trust_roots
from app.signing.pdf_signature import VisibleField, _run, sign_pdf
from app.signing.timestamps import GuardedFetcherBackend, timestamper_for

log = logging.getLogger(__name__)

LTA = "PAdES B-LTA"


class SealingUnavailable(Unavailable):
    """The TSA or a revocation service could not be reached: nothing was stored, the
    document stays unsigned and the seal is tried again."""


@dataclass(frozen=True)
class Sealing:
    """What sealing needs from the configuration."""

    instance_dir: Path
    tsa_url: str | None
    guard: Guard
    organisation: str

    @classmethod
    def from_settings(cls, settings: Settings) -> Sealing:
        return cls(
            instance_dir=settings.instance_dir,
            tsa_url=settings.tsa_url,
            guard=guard_for(settings),
            organisation=settings.seller_name,
        )

    def timestamper(self) -> TimeStamper:
        """The configured TSA, else the local timestamping key (made when missing, for an
        instance set up before there was one)."""
        if not self.tsa_url:
            ensure_local_pki(self.instance_dir, organisation=self.organisation)
        return timestamper_for(self.tsa_url, self.instance_dir, self.guard)


def _roots(instance_dir: Path) -> list[asn1_x509.Certificate]:
    return [
        asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))
        for c in trust_roots(instance_dir)
    ]


def _signing_context(sealing: Sealing) -> ValidationContext:
    """Collects the validation data while signing: fetches OCSP answers and CRLs (through
    the guard) and fails hard when a declared one cannot be had."""
    crl = fresh_crl(sealing.instance_dir)
    return ValidationContext(
        trust_roots=_roots(sealing.instance_dir),
        crls=[crl] if crl else [],
        allow_fetching=True,
        fetcher_backend=GuardedFetcherBackend(sealing.guard),
        revocation_mode="hard-fail",
    )


_UNREACHABLE = (
    TimestampRequestError,
    SigningError,
    PathValidationError,
    PathBuildingError,
    requests.RequestException,
    OSError,
)


def seal(
    pdf: bytes,
    sealing: Sealing,
    *,
    reason: str,
    visible: VisibleField | None = None,
    close: bool = True,
) -> bytes:
    """Sign with a signature timestamp (invisibly, or into the visible field given); the
    signature that closes the file adds the validation data and a document timestamp
    (PAdES B-LTA). Raise SealingUnavailable when the TSA or a revocation service does not
    answer (no partial output exists: the bytes are returned whole or not at all)."""
    paths = PkiPaths(sealing.instance_dir)
    try:
        return sign_pdf(
            pdf,
            cert_path=paths.signing_cert,
            key_path=paths.signing_key,
            reason=reason,
            visible=visible,
            chain=[paths.chain] if paths.chain.exists() else [],
            timestamper=sealing.timestamper(),
            validation_context=_signing_context(sealing) if close else None,
        )
    except _UNREACHABLE as exc:
        log.warning("sealing failed, will retry: %s", exc)
        raise SealingUnavailable(f"the signature could not be sealed now: {exc}") from exc


def extend(pdf: bytes, sealing: Sealing) -> bytes:
    """Add the validation data of the last document timestamp and a fresh document
    timestamp over everything, as an incremental update."""
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    stamper = PdfTimeStamper(sealing.timestamper())
    try:
        out = _run(
            lambda: stamper.async_update_archival_timestamp_chain(
                reader, _signing_context(sealing), in_place=False
            )
        )
    except _UNREACHABLE as exc:
        raise SealingUnavailable(f"the document timestamp could not be added now: {exc}") from exc
    return bytes(out.getvalue())


def last_timestamp_expiry(pdf: bytes) -> datetime | None:
    """When the certificate of the newest document timestamp expires (None: there is none)."""
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    stamps = [s for s in reader.embedded_signatures if s.sig_object_type == "/DocTimeStamp"]
    if not stamps:
        return None
    expiry: datetime = stamps[-1].signer_cert["tbs_certificate"]["validity"]["not_after"].native
    return expiry


@dataclass(frozen=True)
class LongTermCheck:
    valid: bool
    reasons: list[str] = field(default_factory=list)
    level: str = ""
    signer: str = ""
    document_timestamps: int = 0
    last_timestamp_expires: datetime | None = None


def _relying_party(roots: list[asn1_x509.Certificate]) -> PdfSignatureValidationSpec:
    policy = CertValidationPolicySpec(
        trust_manager=SimpleTrustManager.build(trust_roots=roots),
        revinfo_policy=CertRevTrustPolicy(
            RevocationCheckingPolicy(
                ee_certificate_rule=RevocationCheckingRule.CHECK_IF_DECLARED,
                intermediate_ca_cert_rule=RevocationCheckingRule.CHECK_IF_DECLARED,
            )
        ),
    )
    return PdfSignatureValidationSpec(
        SignatureValidationSpec(
            cert_validation_policy=policy,
            revinfo_gathering_policy=RevocationInfoGatheringSpec(
                online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY
            ),
        )
    )


_REASONS = {
    AdESFailure.HASH_FAILURE: "the document was changed after signing",
    AdESFailure.SIG_CRYPTO_FAILURE: "the document was changed after signing",
    AdESFailure.REVOKED: "certificate revoked",
    AdESIndeterminate.REVOKED_NO_POE: "certificate revoked",
    AdESIndeterminate.REVOKED_CA_NO_POE: "certificate revoked",
    AdESIndeterminate.NO_CERTIFICATE_CHAIN_FOUND: "the certificate does not chain to a "
    "trusted root",
    AdESIndeterminate.TRY_LATER: "revocation information missing",
    AdESIndeterminate.NO_POE: "revocation information missing",
}


def check(pdf: bytes, trusted: list[asn1_x509.Certificate]) -> LongTermCheck:
    """Validate the document's signature and its timestamp chain as PAdES B-LTA."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        embedded = reader.embedded_signatures
    except Exception as exc:  # not a PDF, or one pyHanko cannot read: not a signed one
        return LongTermCheck(False, [f"the file cannot be read as a PDF ({exc})"])
    signatures = [s for s in embedded if s.sig_object_type == "/Sig"]
    stamps = [s for s in embedded if s.sig_object_type == "/DocTimeStamp"]
    if not signatures:
        return LongTermCheck(False, ["the document carries no signature"])
    reasons: list[str] = []
    try:
        dss = DocumentSecurityStore.read_dss(reader)
        if not dss.ocsps and not dss.crls and not dss.certs:
            reasons.append("validation data (DSS) missing")
    except NoDSSFoundError:
        reasons.append("validation data (DSS) missing")
    if not stamps:
        reasons.append("document timestamp missing")
    problems = [
        problem if len(signatures) == 1 else f"signature {number}: {problem}"
        for number, signature in enumerate(signatures, start=1)
        for problem in _signature_problems(signature, trusted, number < len(signatures))
    ]
    reasons = [*problems, *reasons]
    signature = signatures[-1]
    return LongTermCheck(
        valid=not reasons,
        reasons=reasons,
        level=LTA if not reasons else "",
        signer=signature.signer_cert.subject.native.get("common_name", ""),
        document_timestamps=len(stamps),
        last_timestamp_expires=last_timestamp_expiry(pdf),
    )


def _signature_problems(
    signature: EmbeddedPdfSignature, trusted: list[asn1_x509.Certificate], later_signatures: bool
) -> list[str]:
    """What is wrong with one signature: a change after it, no signature timestamp, or a
    failed PAdES B-LTA validation (revoked, untrusted, expired)."""
    problems: list[str] = []
    try:
        find_unique_cms_attribute(
            signature.signer_info["unsigned_attrs"], "signature_time_stamp_token"
        )
    except (NonexistentAttributeError, KeyError, ValueError):
        problems.append("signature timestamp missing")
    changed = _changed(signature, trusted, later_signatures)
    if changed:
        return [changed, *problems]
    try:
        result = _run(lambda: ades_lta_validation(signature, _relying_party(trusted)))
        subindication, detail = result.ades_subindic, result.failure_msg or ""
        if getattr(result.api_status, "revoked", False):
            subindication = AdESFailure.REVOKED
    except Exception as exc:  # a mangled signature is an invalid one, whatever pyHanko raises
        subindication, detail = AdESFailure.FORMAT_FAILURE, str(exc)
    if subindication != AdESPassed.OK:
        reason = _REASONS.get(subindication) or f"{str(subindication).lower()}: {detail}"
        if reason not in problems:
            problems.insert(0, reason)
    return problems


def _changed(
    signature: EmbeddedPdfSignature, trusted: list[asn1_x509.Certificate], later_signatures: bool
) -> str:
    """Why the signed bytes no longer stand as signed, or "" when they do: only validation
    data and timestamps may follow the last signature, and the next signers' signatures
    in their own fields an earlier one."""
    context = ValidationContext(trust_roots=trusted, allow_fetching=False)
    try:
        status = _run(lambda: async_validate_pdf_signature(signature, context))
    except Exception:  # a mangled signature is an invalid one, whatever pyHanko raises
        return "the document was changed after signing"
    if not (status.intact and status.valid):
        return "the document was changed after signing"
    allowed = {None, ModificationLevel.NONE, ModificationLevel.LTA_UPDATES}
    if later_signatures:
        allowed.add(ModificationLevel.FORM_FILLING)
    if status.modification_level not in allowed:
        return "the document was changed after signing"
    return ""
