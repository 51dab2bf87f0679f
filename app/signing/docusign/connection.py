"""Reaching DocuSign: a JWT grant for the configured user, the token kept until shortly
before it expires, and the account and base URI found through `/oauth/userinfo`.

Everything goes through the official SDK; the only things added are the trust of a private
CA (`DOCUSIGN_CA_BUNDLE`) for test and staging hosts that DocuSign's own CA does not sign,
and the outbound guard under the SDK's connections (the base URI comes from DocuSign's
answer, and is checked like any other address).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass

from docusign_esign import ApiClient
from docusign_esign.client.api_exception import ApiException
from docusign_esign.client.configuration import Configuration
from urllib3.exceptions import HTTPError as TransportError

from app.config import Settings
from app.errors import InvalidInput, Unavailable
from app.outbound import guard_for
from app.outbound.transports import guard_pool_manager

TOKEN_SECONDS = 3600
REFRESH_MARGIN_SECONDS = 300
"""A token is renewed this long before it expires, so no call starts with a stale one."""


class DocuSignConfigError(InvalidInput):
    """The DocuSign settings are wrong in a way only the operator can fix."""


@dataclass(frozen=True)
class Access:
    token: str
    expires_at: float
    account_id: str
    account_name: str
    base_uri: str


def _error_code(exc: ApiException) -> str:
    try:
        body = json.loads(exc.body or b"{}")
    except (TypeError, ValueError):
        return ""
    if not isinstance(body, dict):
        return ""
    return str(body.get("error_description") or body.get("error") or body.get("errorCode", ""))


class DocuSignConnection:
    """One per process: holds the token and the account it was issued for."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._access: Access | None = None

    def _missing(self) -> list[str]:
        s = self.settings
        required = {
            "DOCUSIGN_INTEGRATION_KEY": s.docusign_integration_key,
            "DOCUSIGN_USER_ID": s.docusign_user_id,
            "DOCUSIGN_PRIVATE_KEY_FILE": s.docusign_private_key_file,
            "DOCUSIGN_OAUTH_HOST": s.docusign_oauth_host,
        }
        return [name for name, value in required.items() if not value]

    def _new_client(self) -> ApiClient:
        configuration = Configuration()  # the SDK shares one configuration per process
        configuration.ssl_ca_cert = (
            str(self.settings.docusign_ca_bundle) if self.settings.docusign_ca_bundle else None
        )
        client = ApiClient(oauth_host_name=self.settings.docusign_oauth_host)
        guard_pool_manager(client.rest_client.pool_manager, guard_for(self.settings))
        return client

    def _private_key(self) -> bytes:
        path = self.settings.docusign_private_key_file
        assert path is not None
        try:
            return path.read_bytes()
        except OSError as exc:
            raise DocuSignConfigError(
                f"cannot read DOCUSIGN_PRIVATE_KEY_FILE {path}: {exc.strerror}"
            ) from exc

    def _grant(self) -> Access:
        missing = self._missing()
        if missing:
            raise DocuSignConfigError(f"set {', '.join(missing)} to use DocuSign")
        settings = self.settings
        client = self._new_client()
        host = settings.docusign_oauth_host
        try:
            token = client.request_jwt_user_token(
                client_id=settings.docusign_integration_key,
                user_id=settings.docusign_user_id,
                oauth_host_name=host,
                private_key_bytes=self._private_key(),
                expires_in=TOKEN_SECONDS,
                scopes=["signature", "impersonation"],
            )
            info = client.get_user_info(token.access_token)
        except ApiException as exc:
            raise _explain(exc, settings) from exc
        except (TransportError, OSError) as exc:
            raise Unavailable(f"cannot reach DocuSign at {host}: {exc}") from exc
        accounts = info.accounts or []
        # The SDK reads `is_default` as a string ("True" or "true", as the JSON had it).
        account = next((a for a in accounts if str(a.is_default).lower() == "true"), None)
        if account is None:
            raise DocuSignConfigError(
                f"DocuSign user {settings.docusign_user_id} has no default account"
            )
        return Access(
            token=token.access_token,
            expires_at=time.time() + int(token.expires_in or TOKEN_SECONDS),
            account_id=account.account_id,
            account_name=account.account_name or "",
            base_uri=account.base_uri,
        )

    def access(self) -> Access:
        """A token valid for at least the refresh margin, asking for a new one only then."""
        with self._lock:
            if self._access is None or self._access.expires_at - time.time() < (
                REFRESH_MARGIN_SECONDS
            ):
                self._access = self._grant()
            return self._access

    @property
    def timeout(self) -> tuple[float, float]:
        """(connect, read) seconds for each REST call; the SDK waits for ever without one."""
        seconds = self.settings.docusign_timeout_seconds
        return (min(seconds, 5.0), seconds)

    def api_client(self) -> tuple[ApiClient, str]:
        """An SDK client for the account's REST API, and the account id."""
        access = self.access()
        client = self._new_client()
        client.host = access.base_uri.rstrip("/") + "/restapi"
        client.set_default_header("Authorization", f"Bearer {access.token}")
        return client, access.account_id

    def check(self) -> str:
        """One token request and one userinfo call; what they found, or what is wrong."""
        with self._lock:
            self._access = self._grant()
            access = self._access
        return (
            f"DocuSign: account {access.account_name or access.account_id} "
            f"({access.account_id}) at {access.base_uri}"
        )


def _explain(exc: ApiException, settings: Settings) -> DocuSignConfigError | Unavailable:
    code = _error_code(exc)
    host = settings.docusign_oauth_host
    key = settings.docusign_integration_key
    if code == "consent_required":
        return DocuSignConfigError(
            f"DocuSign user {settings.docusign_user_id} has not granted consent to integration "
            f"{key}; open https://{host}/oauth/auth?response_type=code"
            f"&scope=signature%20impersonation&client_id={key}&redirect_uri=<your redirect URI> "
            "once as that user"
        )
    if code == "no_valid_keys_or_signatures":
        return DocuSignConfigError(
            f"DOCUSIGN_PRIVATE_KEY_FILE does not match any RSA key of integration {key}"
        )
    if code in {"issuer_not_found", "invalid_client"}:
        return DocuSignConfigError(f"{host} does not know the integration key {key}")
    if code == "user_not_found":
        return DocuSignConfigError(f"{host} has no user {settings.docusign_user_id}")
    if (exc.status or 0) >= 500 or exc.status == 429:
        return Unavailable(f"DocuSign at {host} answered {exc.status}; try again later")
    detail = code or (exc.reason or "")
    return DocuSignConfigError(f"DocuSign at {host} refused the token request: {detail}")
