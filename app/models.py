"""Imports every model so that `Base.metadata` knows the whole schema (Alembic, tests)."""

from app.accounts.models import Account
from app.approvals.models import ExchangeRate
from app.audit.models import AuditEvent
from app.batches.models import Batch, BatchRow
from app.billing.models import (
    Cancellation,
    Invoice,
    OutboxEvent,
    PurchaseOrder,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from app.catalogue.models import Price, Product
from app.counters import NumberReservation, ReleasedNumber, SequenceCounter
from app.db import Base
from app.documents.models import (
    Approval,
    Document,
    DocumentClause,
    DocumentEdit,
    DocumentFile,
    DocumentVersionInput,
)
from app.idempotency.models import IdempotentRequest
from app.library.models import Clause, ClauseVersion, Template, TemplateVersion
from app.mail.models import MailMessage, MailOptOut
from app.notifications.models import Notification
from app.signing.models import Envelope, ProviderEvent, Signer
from app.tax.models import TaxRateRow
from app.users.models import ApiKey, User

__all__ = [
    "Account",
    "ApiKey",
    "Approval",
    "AuditEvent",
    "Base",
    "Batch",
    "BatchRow",
    "Cancellation",
    "Clause",
    "ClauseVersion",
    "Document",
    "DocumentClause",
    "DocumentEdit",
    "DocumentFile",
    "DocumentVersionInput",
    "Envelope",
    "ExchangeRate",
    "IdempotentRequest",
    "Invoice",
    "MailMessage",
    "MailOptOut",
    "Notification",
    "NumberReservation",
    "OutboxEvent",
    "Price",
    "Product",
    "ProviderEvent",
    "PurchaseOrder",
    "ReleasedNumber",
    "SequenceCounter",
    "Signer",
    "TaxRateRow",
    "Template",
    "TemplateVersion",
    "User",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
]
