"""Timestamps and revocation answers for long-term signatures, fetched through the
outbound guard like every other request the service makes.

`CONTRACTDESK_TSA_URL` names an RFC 3161 timestamping authority; without one, the local
timestamper signs timestamps with the instance's own timestamping key (see local_ca.py).
OCSP answers, CRLs and issuer certificates are fetched from the addresses the certificates
declare, through the same guard.
"""

from __future__ import annotations

import functools
import ssl
from asyncio import to_thread
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import requests
from asn1crypto import cms, core, tsp
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from pyhanko.keys import load_cert_from_pemder, load_certs_from_pemder, load_private_key_from_pemder
from pyhanko.sign.general import (
    as_signing_certificate,
    get_pyca_cryptography_hash,
    simple_cms_attribute,
)
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator.fetchers.api import FetcherBackend, Fetchers, FetchLimits
from pyhanko_certvalidator.fetchers.common_utils import FetchBudget
from pyhanko_certvalidator.fetchers.requests_fetchers.cert_fetch_client import (
    RequestsCertificateFetcher,
)
from pyhanko_certvalidator.fetchers.requests_fetchers.crl_client import RequestsCRLFetcher
from pyhanko_certvalidator.fetchers.requests_fetchers.ocsp_client import RequestsOCSPFetcher
from pyhanko_certvalidator.registry import SimpleCertificateStore

from app.outbound import Guard, OutboundRefused
from app.outbound.transports import GuardedTransport
from app.signing.local_ca import PkiPaths

TIMEOUT_SECONDS = 10.0


@functools.cache
def _tls() -> ssl.SSLContext:
    """One TLS context for every TSA and OCSP request: building one reads the CA bundle."""
    return httpx.create_ssl_context(verify=True, trust_env=False)


def _fetch(
    guard: Guard, method: str, url: str, *, headers: dict[str, str], data: bytes | None = None
) -> httpx.Response:
    """One request through the guard; any failure as the `requests` error pyHanko's
    fetchers expect."""
    try:
        with httpx.Client(
            transport=GuardedTransport(guard, verify=_tls()),
            timeout=TIMEOUT_SECONDS,
            follow_redirects=False,
            trust_env=False,
        ) as client:
            response = client.request(method, url, headers=headers, content=data)
    except OutboundRefused as exc:
        raise requests.RequestException(f"refused: {exc.reason}") from exc
    except httpx.HTTPError as exc:
        raise requests.RequestException(f"{url}: {exc}") from exc
    if response.status_code != 200:
        raise requests.RequestException(f"{url}: status code {response.status_code}")
    return response


class _Guarded:
    guard: Guard
    user_agent: str

    def _get(self, url: str, *, acceptable_content_types: Any) -> Any:
        headers = {"Accept": ",".join(acceptable_content_types), "User-Agent": self.user_agent}
        return to_thread(_fetch, self.guard, "GET", url, headers=headers)

    def _post(
        self, url: str, data: bytes, *, content_type: str, acceptable_content_types: Any
    ) -> Any:
        headers = {
            "Accept": ",".join(acceptable_content_types),
            "User-Agent": self.user_agent,
            "Content-Type": content_type,
        }
        return to_thread(_fetch, self.guard, "POST", url, headers=headers, data=data)


class _OCSP(_Guarded, RequestsOCSPFetcher):
    pass


class _CRL(_Guarded, RequestsCRLFetcher):
    pass


class _Certs(_Guarded, RequestsCertificateFetcher):
    pass


class GuardedFetcherBackend(FetcherBackend):
    """pyHanko's fetchers for OCSP, CRLs and certificates, connecting through the guard."""

    def __init__(self, guard: Guard) -> None:
        self.guard = guard

    def get_fetchers(self) -> Fetchers:
        budget = FetchBudget(FetchLimits())
        ocsp = _OCSP(per_request_timeout=TIMEOUT_SECONDS, budget=budget)
        crl = _CRL(per_request_timeout=TIMEOUT_SECONDS, budget=budget)
        certs = _Certs(per_request_timeout=TIMEOUT_SECONDS, budget=budget)
        for fetcher in (ocsp, crl, certs):
            fetcher.guard = self.guard
        return Fetchers(ocsp_fetcher=ocsp, crl_fetcher=crl, cert_fetcher=certs)

    async def close(self) -> None:
        return None


class GuardedTimeStamper(TimeStamper):
    """An RFC 3161 client for a configured TSA, through the guard."""

    def __init__(self, url: str, guard: Guard) -> None:
        super().__init__()
        self.url = url
        self.guard = guard

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        def post() -> bytes:
            try:
                response = _fetch(
                    self.guard,
                    "POST",
                    self.url,
                    headers={"Content-Type": "application/timestamp-query"},
                    data=req.dump(),
                )
            except requests.RequestException as exc:
                raise TimestampRequestError(f"the TSA cannot be reached: {exc}") from exc
            if response.headers.get("Content-Type") != "application/timestamp-reply":
                raise TimestampRequestError("the TSA's answer is not a timestamp reply")
            return response.content

        return tsp.TimeStampResp.load(await to_thread(post))


class _LocalTimeStamper(DummyTimeStamper):
    """pyHanko's in-process RFC 3161 token maker, with the RSA key loaded once: its own
    loads and checks the key again for every token (a sixth of a second for RSA 3072)."""

    def __init__(self, paths: PkiPaths) -> None:
        super().__init__(
            tsa_cert=load_cert_from_pemder(str(paths.tsa_cert)),
            tsa_key=load_private_key_from_pemder(str(paths.tsa_key), passphrase=None),
            certs_to_embed=SimpleCertificateStore.from_certs(
                load_certs_from_pemder([str(paths.root_cert)])
            ),
        )
        key = serialization.load_pem_private_key(
            paths.tsa_key.read_bytes(), None, unsafe_skip_rsa_key_validation=True
        )
        assert isinstance(key, rsa.RSAPrivateKey), "the local timestamping key is RSA"
        self._key = key

    def _sign_tst_info(
        self, tst_info_data: bytes, md_algorithm: str, dt: datetime
    ) -> tuple[bytes, cms.CMSAttributes]:
        digest = hashes.Hash(get_pyca_cryptography_hash(md_algorithm))
        digest.update(tst_info_data)
        signed_attrs = cms.CMSAttributes(
            [
                simple_cms_attribute("content_type", "tst_info"),
                simple_cms_attribute("signing_time", cms.Time({"utc_time": core.UTCTime(dt)})),
                simple_cms_attribute("signing_certificate", as_signing_certificate(self.tsa_cert)),
                simple_cms_attribute("message_digest", digest.finalize()),
            ]
        )
        signature = self._key.sign(
            signed_attrs.dump(), padding.PKCS1v15(), get_pyca_cryptography_hash(md_algorithm)
        )
        return signature, signed_attrs


@functools.lru_cache(maxsize=8)
def _local(instance_dir: Path, modified: float) -> _LocalTimeStamper:
    return _LocalTimeStamper(PkiPaths(instance_dir))


def local_timestamper(instance_dir: Path) -> TimeStamper:
    """The embedded default: timestamps signed by this instance's own timestamping key
    (made again when its file changes)."""
    return _local(instance_dir, PkiPaths(instance_dir).tsa_key.stat().st_mtime)


def timestamper_for(tsa_url: str | None, instance_dir: Path, guard: Guard) -> TimeStamper:
    if tsa_url:
        return GuardedTimeStamper(tsa_url, guard)
    return local_timestamper(instance_dir)
