"""Invoicing events: endpoints that receive them and the outbox that holds them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, object_session

from app.accounts.models import Account
from app.audit import services as audit
from app.billing.models import PENDING, OutboxEvent, WebhookDelivery, WebhookEndpoint
from app.billing.signatures import new_secret
from app.db import utcnow
from app.documents.models import Document
from app.errors import FieldError, Forbidden, InvalidInput
from app.outbound import OutboundRefused, guard_for
from app.uow import UnitOfWork
from app.users.models import User

EVENT_TYPES = (
    "document.created",
    "document.ready",
    "document.approved",
    "document.sent",
    "document.signed",
    "document.declined",
    "document.expired",
    "invoice.trigger",
    "invoice.credit",
    "renewal.created",
    "renewal.due",
    "document.expiring",
)
PAYMENT_DAYS = 30


MANAGING_ROLES = frozenset({"admin", "finance"})


def check_endpoint_url(uow: UnitOfWork, url: str, *, actor: User, subject: Any) -> None:
    """Refuse a URL the outbound guard would not send to (a refused address, or plain
    http outside the allow-list), with the attempt on record: who, which URL, and why."""
    try:
        guard_for(uow.settings).check_url(url)
    except OutboundRefused as exc:
        with uow:
            audit.record_event(
                uow.session,
                tag="webhook_endpoint.refused",
                subject=subject,
                actor=actor,
                data={"url": url, "reason": exc.reason},
            )
            uow.commit()
        raise InvalidInput(
            f"webhook URL refused: {exc.reason}",
            [FieldError("/url", exc.reason, code="refused_address")],
        ) from exc


def register_endpoint(
    uow: UnitOfWork, *, url: str, events: list[str], actor: User, description: str = ""
) -> WebhookEndpoint:
    """Subscribe a URL to event types; the returned endpoint carries its new secret."""
    if actor.role not in MANAGING_ROLES:
        raise Forbidden("only admin and finance users manage webhook endpoints")
    unknown = [e for e in events if e not in EVENT_TYPES]
    if unknown:
        raise InvalidInput(
            f"unknown event types: {', '.join(unknown)}",
            [FieldError(f"/events/{events.index(e)}", "unknown event type") for e in unknown],
        )
    check_endpoint_url(uow, url, actor=actor, subject=actor)
    with uow:
        endpoint = WebhookEndpoint(
            url=url,
            events=sorted(set(events)),
            secret=new_secret(),
            description=description,
            created_by_id=actor.id,
        )
        uow.session.add(endpoint)
        uow.session.flush()
        audit.record_event(
            uow.session,
            tag="webhook_endpoint.created",
            subject=endpoint,
            actor=actor,
            data={"url": url, "events": endpoint.events},
        )
        uow.commit()
        return endpoint


def emit(
    session: Session, *, event_type: str, document: Document | None, data: dict[str, Any]
) -> OutboxEvent:
    """Write the event and one pending delivery per subscribed endpoint, in the caller's
    transaction, so the event exists exactly when the change it reports does."""
    event = OutboxEvent(
        event_type=event_type,
        document_id=document.id if document else None,
        payload={},
        created_at=utcnow(),
    )
    session.add(event)
    session.flush()
    event.payload = {
        "type": event_type,
        "timestamp": event.created_at.isoformat().replace("+00:00", "Z"),
        "data": {"event_id": event.message_id, **data},
    }
    # disabled endpoints too: their deliveries wait, in order, until they are enabled again
    for endpoint in session.scalars(select(WebhookEndpoint)):
        if event_type in endpoint.events:
            session.add(
                WebhookDelivery(
                    event_id=event.id,
                    endpoint_id=endpoint.id,
                    status=PENDING,
                    next_attempt_at=event.created_at,
                )
            )
    return event


def account_erp_id(document: Document) -> str | None:
    """The customer's number in the ERP, where the customer is an account of the service."""
    if document.account_id is None:
        return None
    session = object_session(document)
    account = session.get(Account, document.account_id) if session else None
    return account.erp_id if account else None


def document_event_data(document: Document, **extra: Any) -> dict[str, Any]:
    """What a CRM needs to follow a document: ids on both sides, status and total."""
    return {
        "document_id": str(document.id),
        "document_number": document.number,
        "kind": document.kind,
        "status": document.status,
        "version": document.current_version,
        "external_ref": document.external_ref,
        "account_id": str(document.account_id) if document.account_id else None,
        "customer": document.customer,
        "currency": document.currency,
        "total": document.totals.get("total"),
        **extra,
    }


def publish(
    uow: UnitOfWork,
    event_type: str,
    document: Document,
    data: dict[str, Any] | None = None,
) -> OutboxEvent:
    """Write the event in the caller's transaction and deliver it once that commits."""
    event = emit(
        uow.session,
        event_type=event_type,
        document=document,
        data=data if data is not None else document_event_data(document),
    )
    uow.session.flush()
    if uow.session.scalar(select(exists().where(WebhookDelivery.event_id == event.id))):
        uow.enqueue("billing.deliver_event", event_id=str(event.id))
    return event


def invoiced_at(
    session: Session, document_ids: list[uuid.UUID] | None = None
) -> dict[uuid.UUID, datetime]:
    """When each document (of those given, else of all) went to invoicing: the time its
    first invoice.trigger was written."""
    query = select(OutboxEvent.document_id, OutboxEvent.created_at).where(
        OutboxEvent.event_type == "invoice.trigger", OutboxEvent.document_id.is_not(None)
    )
    if document_ids is not None:
        query = query.where(OutboxEvent.document_id.in_(document_ids))
    first: dict[uuid.UUID, datetime] = {}
    for document_id, at in session.execute(query).all():
        if document_id and (document_id not in first or at < first[document_id]):
            first[document_id] = at
    return first


def deliveries_for(session: Session, event: OutboxEvent) -> list[WebhookDelivery]:
    return list(
        session.scalars(select(WebhookDelivery).where(WebhookDelivery.event_id == event.id))
    )
