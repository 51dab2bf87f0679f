"""The renewals sweep: a renewal draft for every licence ending soon, and reminders to its
owner as the end comes near. Idempotent: a licence has at most one renewal, and each
reminder is a keyed notification, so a second run (or two at once) makes nothing twice."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from app.assembly.pricing import apply_uplift
from app.audit import services as audit
from app.catalogue.models import Product
from app.db import utcnow
from app.documents.contracts import AsAmended, as_amended
from app.documents.models import RENEWAL, SIGNED, Document
from app.documents.services import Parent, render_new_document
from app.notifications.services import notify_once
from app.uow import UnitOfWork

log = logging.getLogger(__name__)

LICENCE_TEMPLATE = "licence-agreement"


@dataclass
class SweepResult:
    renewals: list[uuid.UUID] = field(default_factory=list)
    reminders: int = 0
    problems: list[str] = field(default_factory=list)


def _renewal_of(uow: UnitOfWork, licence_id: uuid.UUID) -> Document | None:
    return uow.session.scalar(
        select(Document).where(Document.parent_id == licence_id, Document.relation == RENEWAL)
    )


def _current_prices(
    record: dict[str, Any], years: int, uplift: Decimal, currency: str
) -> list[Decimal]:
    """Each line's unit price in the last year of the term, as the licence priced it."""
    prices = [Decimal(line["unit_price"]) for line in record["lines"]]
    for _ in range(1, years):
        prices = [apply_uplift(p, uplift, currency) for p in prices]
    return prices


def renewal_data(uow: UnitOfWork, current: AsAmended) -> dict[str, Any]:
    """The licence's data for the next term: the same terms and the titles licensed now,
    each line at the catalogue's list for the new first year where there is one, else at
    the current price with the contract's uplift."""
    licence, data = current.licence, current.data
    start = current.consolidated.end + timedelta(days=1)
    uplift = data.annual_uplift_percent
    prices = _current_prices(licence.totals, data.term.years, uplift, licence.currency)
    skus = [line["sku"] for line in licence.totals["lines"] if line["sku"]]
    products = {p.sku: p for p in uow.session.scalars(select(Product).where(Product.sku.in_(skus)))}
    lines = []
    for line, price in zip(licence.totals["lines"], prices, strict=True):
        product = products.get(line["sku"]) if line["sku"] else None
        renewed: dict[str, Any] = {
            "quantity": line["quantity"],
            "discount_percent": line["discount_percent"],
            "discount_amount": line.get("discount_amount", "0"),
        }
        if product is not None:
            renewed["sku"] = product.sku
            if product.listed_in(licence.currency, start.year) is None:
                renewed["unit_price"] = str(apply_uplift(price, uplift, licence.currency))
        else:
            renewed["description"] = line["description"]
            renewed["unit_price"] = str(apply_uplift(price, uplift, licence.currency))
        lines.append(renewed)
    renewed_data = data.model_dump(mode="json")
    renewed_data.update(
        {
            "account": str(licence.account_id) if licence.account_id else renewed_data["account"],
            "term": {"start": start.isoformat(), "years": data.term.years},
            "lines": lines,
            "titles": [t.model_dump(mode="json") for t in current.consolidated.titles],
            "jurisdiction": licence.data.get("jurisdiction"),
        }
    )
    return renewed_data


def _remind(uow: UnitOfWork, licence: Document, renewal: Document, days_left: int) -> bool:
    """The latest reminder due for a licence whose renewal is not signed yet."""
    due = [d for d in sorted(uow.settings.renewal_reminder_days) if days_left <= d]
    if not due or renewal.status == SIGNED:
        return False
    days = due[0]
    note = notify_once(
        uow.session,
        user_id=licence.created_by_id,
        key=f"renewal-reminder:{licence.id}:{days}",
        message=f"{licence.number} for {licence.customer['name']} ends in {days_left} days; "
        f"its renewal {renewal.number} is {renewal.status.replace('_', ' ')}.",
        document_id=renewal.id,
    )
    if note is None:
        return False
    audit.record_event(
        uow.session,
        tag="renewal.reminded",
        subject=licence,
        actor=None,
        actor_label="renewals sweep",
        data={"days_left": days_left, "reminder": days, "renewal": renewal.number},
    )
    return True


def sweep(uow: UnitOfWork, *, today: date | None = None) -> SweepResult:
    """Make the renewal drafts due and send the reminders due, as of `today`. It runs as a
    job, so it renders in place rather than queueing a render and waiting for it."""
    today = today or utcnow().date()
    horizon = today + timedelta(days=uow.settings.renewal_window_days)
    result = SweepResult()
    with uow:
        licences = list(
            uow.session.scalars(
                select(Document.id).where(Document.kind == "licence", Document.status == SIGNED)
            )
        )
    for licence_id in licences:
        with uow:
            current = as_amended(uow.session, licence_id)
            end = current.consolidated.end
            if not today <= end <= horizon:
                continue
            renewal = _renewal_of(uow, licence_id)
            if renewal is not None:
                if _remind(uow, current.licence, renewal, (end - today).days):
                    result.reminders += 1
                uow.commit()
                continue
            data = renewal_data(uow, current)
            owner = current.licence.created_by
            external_ref = current.licence.external_ref
        try:
            renewal_id = render_new_document(
                uow,
                template=LICENCE_TEMPLATE,
                data=data,
                external_ref=external_ref,
                actor=owner,
                parent=Parent(licence_id, RENEWAL),
                via="renewal",
            )
        except Exception as exc:  # one licence that cannot renew never stops the others
            log.exception("renewal of licence %s failed", licence_id)
            result.problems.append(f"{licence_id}: {exc}")
            continue
        result.renewals.append(renewal_id)
    return result
