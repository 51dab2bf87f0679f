"""Invoicing events: endpoints that receive them and the outbox that holds them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit import services as audit
from app.billing.credits import Credit
from app.billing.models import PENDING, OutboxEvent, WebhookDelivery, WebhookEndpoint
from app.billing.signatures import new_secret
from app.db import utcnow
from app.documents.models import Document
from app.errors import FieldError, Forbidden, InvalidInput
from app.uow import UnitOfWork
from app.users.models import User

EVENT_TYPES = ("invoice.trigger", "invoice.credit")
PAYMENT_DAYS = 30


MANAGING_ROLES = frozenset({"admin", "finance"})


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
    endpoints = session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.enabled.is_(True)))
    for endpoint in endpoints:
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


def invoice_trigger_data(document: Document) -> dict[str, Any]:
    """What an ERP needs to raise the invoice of a signed quote."""
    signed_on = utcnow().date()
    lines = document.totals.get("lines", [])
    return {
        "document_id": str(document.id),
        "document_number": document.number,
        "document_version": document.current_version,
        "external_ref": document.external_ref,
        "customer": document.customer,
        "po_number": document.data.get("po_number"),
        "currency": document.currency,
        "billing_lines": [
            {
                "description": line["description"],
                "sku": line.get("sku"),
                "quantity": line["quantity"],
                "unit_price": line["unit_price"],
                "discount_percent": line["discount_percent"],
                "amount": line["amount"],
                "invoice_on": signed_on.isoformat(),
            }
            for line in lines
        ],
        "subtotal": document.totals["subtotal"],
        "discount": document.totals["discount"],
        "tax_rate_percent": document.totals["tax_rate_percent"],
        "tax": document.totals["tax"],
        "total": document.totals["total"],
        "invoice_on": signed_on.isoformat(),
        "due_on": (signed_on + timedelta(days=PAYMENT_DAYS)).isoformat(),
    }


def invoice_credit_data(
    document: Document,
    credit: Credit,
    *,
    whole: bool,
    reason: str,
    credits_event: str | None,
) -> dict[str, Any]:
    """What an ERP needs to raise the credit note for a cancellation."""
    lines = document.totals.get("lines", [])
    return {
        "document_id": str(document.id),
        "document_number": document.number,
        "external_ref": document.external_ref,
        "customer": document.customer,
        "po_number": document.data.get("po_number"),
        "currency": document.currency,
        "credits_event_id": credits_event,
        "whole": whole,
        "reason": reason,
        "credit_lines": [
            {
                "line": index,
                "description": lines[index]["description"],
                "sku": lines[index].get("sku"),
                "amount": lines[index]["amount"],
            }
            for index in credit.lines
        ],
        "tax_rate_percent": document.totals["tax_rate_percent"],
        "net": str(credit.net),
        "tax": str(credit.tax),
        "total": str(credit.total),
        "credit_on": utcnow().date().isoformat(),
    }


def deliveries_for(session: Session, event: OutboxEvent) -> list[WebhookDelivery]:
    return list(
        session.scalars(select(WebhookDelivery).where(WebhookDelivery.event_id == event.id))
    )
