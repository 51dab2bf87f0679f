"""Settings, read once from the environment into a typed object.

Tests and scripts build their own `Settings(...)` and hand it to `create_app`.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.assembly.approval_matrix import ApprovalMatrix, load_matrix
from app.assembly.proration import DayCount
from app.assembly.sandbox import RenderLimits
from app.assembly.tax import parse_rates
from app.outbound.policy import AllowList
from app.uploads import limits

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?")


def _env(*names: str) -> AliasChoices:
    return AliasChoices(*names)


@lru_cache(maxsize=4)
def _matrix(path: Path, modified: float) -> ApprovalMatrix:
    """Read once per file version (the modification time is part of the key)."""
    return load_matrix(path)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(populate_by_name=True, extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{PROJECT_ROOT / 'instance' / 'contractdesk.db'}",
        validation_alias=_env("DATABASE_URL", "database_url"),
    )
    secret_key: str = Field(
        default="",
        description="Signs the page sessions. Required outside the embedded default; there, "
        "a random one is made on first run and kept in the instance folder.",
        validation_alias=_env("CONTRACTDESK_SECRET_KEY", "secret_key"),
    )
    metrics_token: str = Field(
        default="",
        description="The bearer token /metrics asks for. Unset: /metrics answers 404, "
        "except on the embedded default, where it is open.",
        validation_alias=_env("CONTRACTDESK_METRICS_TOKEN", "metrics_token"),
    )
    public_url: str = Field(
        default="http://127.0.0.1:5000",
        description="Base URL that signing links and file URLs are built on.",
        validation_alias=_env("CONTRACTDESK_PUBLIC_URL", "public_url"),
    )
    instance_dir: Path = Field(
        default=PROJECT_ROOT / "instance",
        description="Where the service keeps its own files: the signing certificate and key.",
        validation_alias=_env("CONTRACTDESK_INSTANCE_DIR", "instance_dir"),
    )
    storage: Literal["local", "s3"] = Field(
        default="local", validation_alias=_env("CONTRACTDESK_STORAGE", "storage")
    )
    s3_endpoint_url: str | None = Field(
        default=None,
        description="Empty for AWS; e.g. http://127.0.0.1:8333 for SeaweedFS or MinIO.",
        validation_alias=_env("CONTRACTDESK_S3_ENDPOINT_URL", "s3_endpoint_url"),
    )
    s3_bucket: str = Field(
        default="contractdesk", validation_alias=_env("CONTRACTDESK_S3_BUCKET", "s3_bucket")
    )
    s3_lock_days: int = Field(
        default=0,
        ge=0,
        description="Object Lock retention in days for signed documents (0: none).",
        validation_alias=_env("CONTRACTDESK_S3_LOCK_DAYS", "s3_lock_days"),
    )
    s3_presign_seconds: int = Field(
        default=300,
        gt=0,
        validation_alias=_env("CONTRACTDESK_S3_PRESIGN_SECONDS", "s3_presign_seconds"),
    )
    storage_dir: Path = Field(
        default=PROJECT_ROOT / "storage",
        validation_alias=_env("CONTRACTDESK_STORAGE_DIR", "storage_dir"),
    )
    templates_dir: Path = Field(
        default=PROJECT_ROOT / "contract_templates",
        validation_alias=_env("CONTRACTDESK_TEMPLATES_DIR", "templates_dir"),
    )
    clauses_dir: Path = Field(
        default=PROJECT_ROOT / "clauses",
        validation_alias=_env("CONTRACTDESK_CLAUSES_DIR", "clauses_dir"),
    )
    signing_link_hours: int = Field(
        default=72,
        gt=0,
        validation_alias=_env("CONTRACTDESK_SIGNING_LINK_HOURS", "signing_link_hours"),
    )
    seller_country: str = Field(
        default="GB",
        description="The seller's country (ISO 3166): its customers pay domestic VAT.",
        validation_alias=_env("CONTRACTDESK_SELLER_COUNTRY", "seller_country"),
    )
    tax_rates: str = Field(
        default="GB=20,NL=21,DE=19,FR=20,BE=21,IE=23",
        description="Standard VAT rates by country, COUNTRY=PERCENT, comma-separated: the "
        "fallback of the rate table (`contractdesk tax-rates`) for the standard category, "
        "on days the table has no rate for a country. A country with neither is outside the "
        "scope of VAT.",
        validation_alias=_env("CONTRACTDESK_TAX_RATES", "tax_rates"),
    )

    @field_validator("tax_rates")
    @classmethod
    def _rates_parse(cls, value: str) -> str:
        parse_rates(value)
        return value

    @property
    def vat_rates(self) -> dict[str, Decimal]:
        return parse_rates(self.tax_rates)

    day_count: DayCount = Field(
        default="actual/365",
        description="How part-year fees are prorated: actual/365, actual/actual or 30/360.",
        validation_alias=_env("CONTRACTDESK_DAY_COUNT", "day_count"),
    )
    renewal_window_days: int = Field(
        default=90,
        ge=1,
        le=730,
        description="A renewal draft is made for each licence ending within this many days.",
        validation_alias=_env("CONTRACTDESK_RENEWAL_WINDOW_DAYS", "renewal_window_days"),
    )
    renewal_reminder_days: tuple[int, ...] = Field(
        default=(90, 60, 30),
        description="Days before a licence ends when its owner is reminded of the renewal.",
        validation_alias=_env("CONTRACTDESK_RENEWAL_REMINDER_DAYS", "renewal_reminder_days"),
    )
    quote_validity_days: int = Field(
        default=30,
        ge=1,
        le=365,
        description="How long a quote is valid when its data gives no valid_until.",
        validation_alias=_env("CONTRACTDESK_QUOTE_VALIDITY_DAYS", "quote_validity_days"),
    )
    signing: Literal["builtin", "docusign"] = Field(
        default="builtin",
        description="Who collects signatures: the built-in signer or DocuSign.",
        validation_alias=_env("CONTRACTDESK_SIGNING", "signing"),
    )
    docusign_integration_key: str = Field(
        default="", validation_alias=_env("DOCUSIGN_INTEGRATION_KEY", "docusign_integration_key")
    )
    docusign_user_id: str = Field(
        default="",
        description="The DocuSign user the service acts as (JWT grant impersonation).",
        validation_alias=_env("DOCUSIGN_USER_ID", "docusign_user_id"),
    )
    docusign_private_key_file: Path | None = Field(
        default=None,
        description="The integration's RSA private key (PEM).",
        validation_alias=_env("DOCUSIGN_PRIVATE_KEY_FILE", "docusign_private_key_file"),
    )
    docusign_oauth_host: str = Field(
        default="account-d.docusign.com",
        description="account-d.docusign.com (developer sandbox), account.docusign.com "
        "(production), or host:port of an emulator.",
        validation_alias=_env("DOCUSIGN_OAUTH_HOST", "docusign_oauth_host"),
    )
    docusign_ca_bundle: Path | None = Field(
        default=None,
        description="CA certificates to trust for DocuSign's hosts; empty in production.",
        validation_alias=_env("DOCUSIGN_CA_BUNDLE", "docusign_ca_bundle"),
    )
    docusign_connect_hmac_keys: str = Field(
        default="",
        description="Connect HMAC keys, comma-separated, so keys rotate without downtime.",
        validation_alias=_env("DOCUSIGN_CONNECT_HMAC_KEYS", "docusign_connect_hmac_keys"),
    )
    docusign_timeout_seconds: float = Field(
        default=30,
        gt=0,
        description="How long a call to DocuSign's REST API may wait for the answer; past "
        "it the call fails as DocuSign unreachable, and is retried.",
        validation_alias=_env("DOCUSIGN_TIMEOUT", "docusign_timeout_seconds"),
    )
    docusign_reminder_after_days: int = Field(
        default=2, ge=0, le=999, validation_alias=_env("DOCUSIGN_REMINDER_AFTER_DAYS")
    )
    docusign_reminder_every_days: int = Field(
        default=3, ge=1, le=999, validation_alias=_env("DOCUSIGN_REMINDER_EVERY_DAYS")
    )
    docusign_expire_after_days: int = Field(
        default=30, ge=1, le=999, validation_alias=_env("DOCUSIGN_EXPIRE_AFTER_DAYS")
    )
    docusign_expire_warn_days: int = Field(
        default=5, ge=0, le=999, validation_alias=_env("DOCUSIGN_EXPIRE_WARN_DAYS")
    )
    docusign_reconcile_after_minutes: int = Field(
        default=60,
        ge=15,
        description="Ask DocuSign about an envelope whose status has not moved for this long.",
        validation_alias=_env("DOCUSIGN_RECONCILE_AFTER_MINUTES"),
    )
    seller_name: str = Field(
        default="Contract Desk Publishing Ltd",
        description="The publisher named on every document's letterhead.",
        validation_alias=_env("CONTRACTDESK_SELLER_NAME", "seller_name"),
    )
    seller_address: str = Field(
        default="1 Example Street\nOxford OX1 1AA\nUnited Kingdom",
        validation_alias=_env("CONTRACTDESK_SELLER_ADDRESS", "seller_address"),
    )
    seller_company_number: str = Field(
        default="01234567",
        max_length=40,
        description="The seller's company registration number, printed in each document's "
        "parties block.",
        validation_alias=_env("CONTRACTDESK_SELLER_COMPANY_NUMBER", "seller_company_number"),
    )
    seller_vat_number: str = Field(
        default="GB980780684",
        max_length=40,
        description="The seller's VAT registration number, printed in each document's parties "
        "block.",
        validation_alias=_env("CONTRACTDESK_SELLER_VAT_NUMBER", "seller_vat_number"),
    )
    seller_signatory_name: str = Field(
        default="Eleanor Whitfield",
        max_length=200,
        description="Who signs for the seller, unless a document's data names someone else.",
        validation_alias=_env("CONTRACTDESK_SELLER_SIGNATORY_NAME", "seller_signatory_name"),
    )
    seller_signatory_title: str = Field(
        default="Director of Sales",
        max_length=200,
        description="The seller's signatory's title (job title or office).",
        validation_alias=_env("CONTRACTDESK_SELLER_SIGNATORY_TITLE", "seller_signatory_title"),
    )
    default_jurisdiction: str = Field(
        default="england-wales",
        description="The law a document is written under when its data names none.",
        validation_alias=_env("CONTRACTDESK_DEFAULT_JURISDICTION", "default_jurisdiction"),
    )
    approval_matrix_file: Path = Field(
        default=PROJECT_ROOT / "config" / "approval-matrix.yaml",
        description="Who approves what, in which order (YAML, checked at start-up).",
        validation_alias=_env("CONTRACTDESK_APPROVAL_MATRIX", "approval_matrix_file"),
    )

    @property
    def approval_matrix(self) -> ApprovalMatrix:
        return _matrix(self.approval_matrix_file, self.approval_matrix_file.stat().st_mtime)

    webhook_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        validation_alias=_env("CONTRACTDESK_WEBHOOK_TIMEOUT", "webhook_timeout_seconds"),
    )
    webhook_retry_days: float = Field(
        default=3,
        gt=0,
        description="How long a delivery is retried (backoff doubles up to 6 h) before it "
        "fails and its endpoint is disabled, its owner told.",
        validation_alias=_env("CONTRACTDESK_WEBHOOK_RETRY_DAYS", "webhook_retry_days"),
    )
    outbound_allow: str | None = Field(
        default=None,
        description="Networks (CIDR) and host names, comma-separated, that webhooks and "
        "DocuSign may reach although they are loopback, private or otherwise not public. "
        "Unset: loopback with the embedded SQLite default, nothing otherwise.",
        validation_alias=_env("CONTRACTDESK_OUTBOUND_ALLOW", "outbound_allow"),
    )

    tsa_url: str | None = Field(
        default=None,
        description="The RFC 3161 timestamping authority the built-in signer asks for "
        "signature and document timestamps (through the outbound guard). Unset: the "
        "instance's own local timestamping key, which is not a qualified TSA.",
        validation_alias=_env("CONTRACTDESK_TSA_URL", "tsa_url"),
    )
    timestamp_renew_days: int = Field(
        default=365,
        ge=1,
        description="`contractdesk signatures extend` adds a document timestamp to the signed "
        "documents whose last timestamp's certificate expires within this many days.",
        validation_alias=_env("CONTRACTDESK_TIMESTAMP_RENEW_DAYS", "timestamp_renew_days"),
    )

    @field_validator("outbound_allow")
    @classmethod
    def _allow_parses(cls, value: str | None) -> str | None:
        if value is not None:
            AllowList.parse(value)
        return value

    rate_limit: str = Field(
        default="600/minute",
        description="Requests per API key (limits syntax, e.g. '600/minute;20/second').",
        validation_alias=_env("CONTRACTDESK_RATE_LIMIT", "rate_limit"),
    )
    rate_limit_storage: str = Field(
        default="memory://",
        description="Where the counts live: memory:// for one process, redis://… when "
        "several workers serve the API.",
        validation_alias=_env("CONTRACTDESK_RATE_LIMIT_STORAGE", "rate_limit_storage"),
    )
    two_factor: Literal["required", "optional"] | None = Field(
        default=None,
        description="A TOTP second factor for admin, legal, finance and director accounts: "
        "required (default outside the embedded default) or optional (default on it).",
        validation_alias=_env("CONTRACTDESK_TWO_FACTOR", "two_factor"),
    )

    @property
    def two_factor_required(self) -> bool:
        return (self.two_factor or ("optional" if self.embedded else "required")) == "required"

    login_limit_account: str = Field(
        default="10/15 minutes",
        description="Failed sign-ins per account before it is locked for the rest of the "
        "window (limits syntax).",
        validation_alias=_env("CONTRACTDESK_LOGIN_LIMIT_ACCOUNT", "login_limit_account"),
    )
    login_limit_address: str = Field(
        default="50/15 minutes",
        description="Failed sign-ins per client address, whatever the accounts tried.",
        validation_alias=_env("CONTRACTDESK_LOGIN_LIMIT_ADDRESS", "login_limit_address"),
    )
    celery_broker_url: str | None = Field(
        default=None,
        description="redis://… or amqp://…: jobs run on Celery workers; unset: in-process.",
        validation_alias=_env("CELERY_BROKER_URL", "celery_broker_url"),
    )
    celery_result_backend: str | None = Field(
        default=None,
        description="Where rendering jobs' answers wait; default: the Redis broker, or rpc://.",
        validation_alias=_env("CELERY_RESULT_BACKEND", "celery_result_backend"),
    )
    render_timeout_seconds: float = Field(
        default=120,
        gt=0,
        description="How long a web request waits for a worker to render a document.",
        validation_alias=_env("CONTRACTDESK_RENDER_TIMEOUT", "render_timeout_seconds"),
    )
    celery_queue: str = Field(
        default="contractdesk", validation_alias=_env("CONTRACTDESK_CELERY_QUEUE", "celery_queue")
    )
    celery_visibility_timeout: int = Field(
        default=3600,
        gt=0,
        description="Seconds before a Redis broker hands an unacknowledged job to another worker.",
        validation_alias=_env(
            "CONTRACTDESK_CELERY_VISIBILITY_TIMEOUT", "celery_visibility_timeout"
        ),
    )
    webhook_lease_seconds: float = Field(
        default=300,
        gt=0,
        description="How long a claimed delivery is held before another worker may retry it.",
        validation_alias=_env("CONTRACTDESK_WEBHOOK_LEASE", "webhook_lease_seconds"),
    )
    sweep_interval_seconds: float = Field(
        default=30.0,
        gt=0,
        validation_alias=_env("CONTRACTDESK_SWEEP_INTERVAL", "sweep_interval_seconds"),
    )
    max_request_bytes: int = Field(
        default=2 * 1024 * 1024,
        validation_alias=_env("CONTRACTDESK_MAX_REQUEST_BYTES", "max_request_bytes"),
    )
    small_request_bytes: int = Field(
        default=64 * 1024,
        gt=0,
        description="The largest body of the API calls that take a few fields (decisions, "
        "keys, webhook endpoints, sending) and of DocuSign's Connect events.",
        validation_alias=_env("CONTRACTDESK_SMALL_REQUEST_BYTES", "small_request_bytes"),
    )
    title_list_max_rows: int = Field(
        default=100_000,
        gt=0,
        description="The most rows an uploaded KBART title list may have.",
        validation_alias=_env("CONTRACTDESK_TITLE_LIST_MAX_ROWS", "title_list_max_rows"),
    )
    title_list_document_rows: int = Field(
        default=20_000,
        gt=0,
        description="The most rows of a title list made a document (PDF, DOCX, XLSX, CSV); "
        "a longer KBART list is kept as KBART only.",
        validation_alias=_env("CONTRACTDESK_TITLE_LIST_DOCUMENT_ROWS", "title_list_document_rows"),
    )
    title_list_max_bytes: int = Field(
        default=48 * 1024 * 1024,
        gt=0,
        description="The largest title list upload, in bytes (other requests: max_request_bytes).",
        validation_alias=_env("CONTRACTDESK_TITLE_LIST_MAX_BYTES", "title_list_max_bytes"),
    )
    upload_max_unpacked_bytes: int = Field(
        default=limits.MAX_UNPACKED_BYTES,
        gt=0,
        description="What an uploaded workbook may unpack to, all its parts together.",
        validation_alias=_env(
            "CONTRACTDESK_UPLOAD_MAX_UNPACKED_BYTES", "upload_max_unpacked_bytes"
        ),
    )
    upload_max_zip_entries: int = Field(
        default=limits.MAX_ZIP_ENTRIES,
        gt=0,
        description="Parts (zip entries) of an uploaded workbook.",
        validation_alias=_env("CONTRACTDESK_UPLOAD_MAX_ZIP_ENTRIES", "upload_max_zip_entries"),
    )
    upload_max_entry_ratio: int = Field(
        default=limits.MAX_ENTRY_RATIO,
        gt=0,
        description="How many times its packed size one zip member of an upload may unpack to.",
        validation_alias=_env("CONTRACTDESK_UPLOAD_MAX_ENTRY_RATIO", "upload_max_entry_ratio"),
    )
    upload_max_shared_strings: int = Field(
        default=limits.MAX_SHARED_STRINGS,
        gt=0,
        description="Distinct texts (shared strings) of an uploaded workbook.",
        validation_alias=_env(
            "CONTRACTDESK_UPLOAD_MAX_SHARED_STRINGS", "upload_max_shared_strings"
        ),
    )
    upload_max_shared_string_chars: int = Field(
        default=limits.MAX_SHARED_STRING_CHARS,
        gt=0,
        description="Characters of an uploaded workbook's shared strings, all together.",
        validation_alias=_env(
            "CONTRACTDESK_UPLOAD_MAX_SHARED_STRING_CHARS", "upload_max_shared_string_chars"
        ),
    )
    upload_max_columns: int = Field(
        default=limits.MAX_COLUMNS,
        gt=0,
        description="Columns of an uploaded CSV record or worksheet.",
        validation_alias=_env("CONTRACTDESK_UPLOAD_MAX_COLUMNS", "upload_max_columns"),
    )
    upload_max_field_chars: int = Field(
        default=limits.MAX_FIELD_CHARS,
        gt=0,
        description="Characters of one uploaded CSV field or worksheet cell.",
        validation_alias=_env("CONTRACTDESK_UPLOAD_MAX_FIELD_CHARS", "upload_max_field_chars"),
    )

    template_max_steps: int = Field(
        default=1_000_000,
        gt=0,
        description="Loop turns, calls and outputs one render of a template or clause may take.",
        validation_alias=_env("CONTRACTDESK_TEMPLATE_MAX_STEPS", "template_max_steps"),
    )
    template_max_output: int = Field(
        default=10_000_000,
        gt=0,
        description="Characters a template or clause may print, or build as one string.",
        validation_alias=_env("CONTRACTDESK_TEMPLATE_MAX_OUTPUT", "template_max_output"),
    )
    template_max_seconds: float = Field(
        default=5.0,
        gt=0,
        description="Seconds one render of a template or clause may take.",
        validation_alias=_env("CONTRACTDESK_TEMPLATE_MAX_SECONDS", "template_max_seconds"),
    )
    smtp_url: str = Field(
        default="",
        description="Where mail goes: smtp://user:password@host:587 (STARTTLS) or "
        "smtps://user:password@host:465 (TLS from the start). Empty: every message is "
        "written as an .eml file under the storage folder (mail/).",
        validation_alias=_env("CONTRACTDESK_SMTP_URL", "smtp_url"),
    )
    smtp_ca_bundle: Path | None = Field(
        default=None,
        description="CA certificates to trust for the SMTP server (a relay with a private "
        "CA); empty: the system's.",
        validation_alias=_env("CONTRACTDESK_SMTP_CA_BUNDLE", "smtp_ca_bundle"),
    )
    mail_from: str = Field(
        default="Contract Desk <contractdesk@localhost>",
        description="The From of every message.",
        validation_alias=_env("CONTRACTDESK_MAIL_FROM", "mail_from"),
    )
    mail_reply_to: str = Field(
        default="",
        description="Reply-To by team, TEAM=ADDRESS, comma-separated; `*` for everyone "
        "else. A customer's reply goes to the sender's desk.",
        validation_alias=_env("CONTRACTDESK_MAIL_REPLY_TO", "mail_reply_to"),
    )
    mail_max_attempts: int = Field(
        default=8,
        ge=1,
        description="Attempts before a message is marked failed and shown to its sender.",
        validation_alias=_env("CONTRACTDESK_MAIL_MAX_ATTEMPTS", "mail_max_attempts"),
    )
    mail_retry_seconds: float = Field(
        default=60.0,
        gt=0,
        description="The first wait after a failed attempt; each next one doubles.",
        validation_alias=_env("CONTRACTDESK_MAIL_RETRY_SECONDS", "mail_retry_seconds"),
    )
    quote_warning_days: int = Field(
        default=7,
        ge=1,
        description="Days before a quote expires when its owner is warned by mail.",
        validation_alias=_env("CONTRACTDESK_QUOTE_WARNING_DAYS", "quote_warning_days"),
    )
    signing_reminder_days: tuple[int, ...] = Field(
        default=(3, 7),
        description="Days after sending when unsigned signers of the built-in signer are "
        "reminded (a document's own schedule overrides).",
        validation_alias=_env("CONTRACTDESK_SIGNING_REMINDER_DAYS", "signing_reminder_days"),
    )

    @property
    def render_limits(self) -> RenderLimits:
        """The budget of every template and clause render (`app.assembly.sandbox`)."""
        return RenderLimits(
            steps=self.template_max_steps,
            output_chars=self.template_max_output,
            seconds=self.template_max_seconds,
        )

    @property
    def upload_limits(self) -> limits.UploadLimits:
        """The bounds on every uploaded file (`app.uploads.limits`)."""
        return limits.UploadLimits(
            unpacked_bytes=self.upload_max_unpacked_bytes,
            zip_entries=self.upload_max_zip_entries,
            entry_ratio=self.upload_max_entry_ratio,
            shared_strings=self.upload_max_shared_strings,
            shared_string_chars=self.upload_max_shared_string_chars,
            columns=self.upload_max_columns,
            field_chars=self.upload_max_field_chars,
        )

    embed_origins: tuple[str, ...] = Field(
        default=(),
        description="Origins (scheme://host[:port]) whose pages may show the signing page in "
        "a frame, for embedded signing; every other page may be framed by no one.",
        validation_alias=_env("CONTRACTDESK_EMBED_ORIGINS", "embed_origins"),
    )

    @field_validator("embed_origins")
    @classmethod
    def _origins_are_origins(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for origin in value:
            if not ORIGIN.fullmatch(origin):
                raise ValueError(f"not an origin (scheme://host[:port]): {origin!r}")
        return value

    trusted_proxies: int = Field(
        default=0,
        ge=0,
        le=10,
        description="How many proxies in front of the service set X-Forwarded-For/-Proto/"
        "-Host/-Port; 0 trusts no such header.",
        validation_alias=_env("CONTRACTDESK_TRUSTED_PROXIES", "trusted_proxies"),
    )

    session_idle_minutes: int = Field(
        default=30,
        gt=0,
        description="A page session unused for this long ends; the user signs in again.",
        validation_alias=_env("CONTRACTDESK_SESSION_IDLE_MINUTES", "session_idle_minutes"),
    )
    session_max_hours: int = Field(
        default=12,
        gt=0,
        description="A page session ends this long after signing in, however busy.",
        validation_alias=_env(
            "CONTRACTDESK_SESSION_MAX_HOURS", "CONTRACTDESK_SESSION_HOURS", "session_max_hours"
        ),
    )
    session_cookie_secure: bool | None = Field(
        default=None,
        description="Send the session cookie over HTTPS only. Default: on, except on the "
        "embedded default (served over plain HTTP on 127.0.0.1).",
        validation_alias=_env("SESSION_COOKIE_SECURE", "CONTRACTDESK_SESSION_COOKIE_SECURE"),
    )

    @property
    def secure_cookies(self) -> bool:
        if self.session_cookie_secure is None:
            return not self.embedded
        return self.session_cookie_secure

    @property
    def embedded(self) -> bool:
        """The embedded default (`make run`: SQLite, one process) rather than production."""
        return self.database_url.startswith("sqlite")

    @property
    def secret_key_path(self) -> Path:
        """Where the embedded default keeps the secret key it made itself."""
        return self.instance_dir / "secret-key"

    @property
    def signing_cert_path(self) -> Path:
        return self.instance_dir / "signing-cert.pem"

    @property
    def signing_root_path(self) -> Path:
        """The local CA's root: the trust anchor a relying party is given."""
        return self.instance_dir / "signing-root.pem"

    @property
    def signing_key_path(self) -> Path:
        return self.instance_dir / "signing-key.pem"

    @property
    def template_cache_dir(self) -> Path:
        """Where stored template versions are unpacked to be rendered."""
        return self.instance_dir / "template-cache"
