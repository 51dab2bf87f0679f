"""The rows of a seeded database, drawn from a few rendered prototypes: every licence is
the prototype licence on its own term for its own customer, every quote the prototype
quote (or, while it waits for approval, the prototype that needed one). Pure: the same
sizes and seed give the same rows, so a benchmark run can be repeated."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from app.assembly.schemas import Term
from app.documents.models import (
    APPROVED,
    CANCELLED,
    DRAFT,
    EXPIRED,
    PENDING_APPROVAL,
    REJECTED,
    RENEWAL,
    SENT,
    SIGNED,
)

REGIONS = ("UK & Ireland", "Benelux", "Greater China", "DACH", "Nordics", "North America")
COUNTRIES = {
    "UK & Ireland": "GB",
    "Benelux": "NL",
    "Greater China": "CN",
    "DACH": "DE",
    "Nordics": "SE",
    "North America": "US",
}
KINDS_OF_PLACE = ("University", "College", "Institute", "Hospital", "Academy", "Library")
PLACES = (
    "Northfield", "Eastbrook", "Westmoor", "Southgate", "Riverside", "Hillcrest", "Lakeside",
    "Oakridge", "Stonebridge", "Ashford", "Kingsbury", "Maplewood", "Fairhaven", "Glenwood",
    "Brookfield", "Harrow", "Elmstead", "Wexford", "Ravensworth", "Thornbury",
)  # fmt: skip
LICENCE_STATUSES = (
    (SIGNED, 80),
    (SENT, 6),
    (DRAFT, 6),
    (APPROVED, 3),
    (CANCELLED, 3),
    (REJECTED, 2),
)
QUOTE_STATUSES = (
    (SIGNED, 40),
    (EXPIRED, 25),
    (SENT, 15),
    (DRAFT, 15),
    (APPROVED, 4),
    (REJECTED, 1),
)

RENEWAL_STATUSES = ((DRAFT, 50), (SENT, 35), (APPROVED, 15))
OPEN = (DRAFT, APPROVED, SENT)
QUOTE_VALIDITY = timedelta(days=30)


@dataclass(frozen=True)
class Sizes:
    customers: int = 20_000
    licences: int = 100_000
    documents: int = 1_000_000
    pending_share: float = 0.0005
    """Documents waiting for a decision: a few hundred in a million, as a desk that
    decides within days holds; the rest of the history has been decided."""


@dataclass(frozen=True)
class Prototype:
    """A document rendered for real, whose record and files the seeded ones share."""

    id: uuid.UUID
    kind: str
    number_prefix: str
    template_version_id: uuid.UUID
    data: dict[str, Any]
    customer: dict[str, Any]
    totals: dict[str, Any]
    currency: str
    approvals_required: list[dict[str, Any]]
    files: list[dict[str, Any]]


@dataclass(frozen=True)
class Customer:
    id: uuid.UUID
    name: str
    country: str
    region: str
    crm_id: str
    created_at: datetime


@dataclass(frozen=True)
class SeededDocument:
    id: uuid.UUID
    number: str
    prototype: Prototype
    status: str
    customer: Customer
    data: dict[str, Any]
    created_by_id: uuid.UUID
    created_at: datetime
    external_ref: str
    via: str
    parent_id: uuid.UUID | None = None
    relation: str | None = None

    @property
    def approvals_required(self) -> list[dict[str, Any]]:
        return self.prototype.approvals_required if self.status == PENDING_APPROVAL else []


class Numbers:
    """Document numbers as the service gives them (`L-2026-000123`), from the same
    counters, starting past the prototypes' numbers; `counters` is what to store after."""

    FIRST = 1000

    def __init__(self) -> None:
        self.counters: dict[str, int] = {}

    def next(self, proto: Prototype, year: int) -> str:
        name = f"document:{proto.kind}:{year}"
        value = self.counters[name] = self.counters.get(name, self.FIRST - 1) + 1
        return f"{proto.number_prefix}-{year}-{value:06d}"


def customers(count: int, now: datetime, rng: random.Random) -> list[Customer]:
    made = []
    for n in range(count):
        region = REGIONS[n % len(REGIONS)]
        place = PLACES[rng.randrange(len(PLACES))]
        kind = KINDS_OF_PLACE[rng.randrange(len(KINDS_OF_PLACE))]
        made.append(
            Customer(
                id=uuid.UUID(int=rng.getrandbits(128), version=4),
                name=f"{kind} of {place} {n:05d}",
                country=COUNTRIES[region],
                region=region,
                crm_id=f"CRM-{n:06d}",
                created_at=now - timedelta(days=1500),
            )
        )
    return made


def _pick(weights: tuple[tuple[str, int], ...], rng: random.Random) -> str:
    return rng.choices([s for s, _ in weights], [w for _, w in weights])[0]


def documents(
    sizes: Sizes,
    clients: list[Customer],
    licence: Prototype,
    quote: Prototype,
    pending_quote: Prototype,
    creators: list[uuid.UUID],
    now: datetime,
    rng: random.Random,
    numbers: Numbers,
) -> Iterator[SeededDocument]:
    """`sizes.documents` documents over three years, oldest first; one in
    `documents / licences` a licence on a term that ends from a year ago to three years on
    (so that some are due for renewal whatever the day), the rest quotes."""
    span = timedelta(days=3 * 365).total_seconds()
    every = max(1, sizes.documents // max(1, sizes.licences))
    for n in range(sizes.documents):
        created = now - timedelta(seconds=span * (1 - n / sizes.documents))
        is_licence = n % every == 0 and n // every < sizes.licences
        pending = rng.random() < sizes.pending_share
        if is_licence:
            proto = licence
            status = PENDING_APPROVAL if pending and proto.approvals_required else None
            status = status or _pick(LICENCE_STATUSES, rng)
            start = (now - timedelta(days=rng.randrange(365, 1460))).date()
            data = {**proto.data, "term": {**proto.data["term"], "start": start.isoformat()}}
        else:
            proto = pending_quote if pending and pending_quote.approvals_required else quote
            status = PENDING_APPROVAL if proto is pending_quote else _pick(QUOTE_STATUSES, rng)
            issued = created.date()
            if status == PENDING_APPROVAL:  # revised lately, still within its validity
                issued = now.date() - timedelta(days=rng.randrange(20))
            elif status in OPEN and now - created > QUOTE_VALIDITY:  # the sweep expired it
                status = EXPIRED
            data = _quote_data(proto.data, issued)
        client = clients[rng.randrange(len(clients))]
        yield SeededDocument(
            id=uuid.UUID(int=rng.getrandbits(128), version=4),
            number=numbers.next(proto, created.year),
            prototype=proto,
            status=status,
            customer=client,
            data=data,
            created_by_id=creators[n % len(creators)],
            created_at=created,
            external_ref=f"OPP-{n:08d}",
            via=("api", "page", "batch")[n % 3],
        )


def renewals(
    documents: list[SeededDocument],
    window_days: int,
    now: datetime,
    rng: random.Random,
    numbers: Numbers,
) -> Iterator[SeededDocument]:
    """The renewals the daily sweeps have made so far: one for each signed licence whose
    term ends before the window's far edge, starting the day after; signed where the old
    term is over, still open where it runs."""
    today = now.date()
    horizon = today + timedelta(days=window_days)
    for licence in documents:
        if licence.prototype.kind != "licence" or licence.status != SIGNED:
            continue
        end = Term.model_validate(licence.data["term"]).end
        if end >= horizon:
            continue
        status = SIGNED if end < today else _pick(RENEWAL_STATUSES, rng)
        start = end + timedelta(days=1)
        made = min(now, utc(end - timedelta(days=window_days)))
        yield replace(
            licence,
            id=uuid.UUID(int=rng.getrandbits(128), version=4),
            number=numbers.next(licence.prototype, made.year),
            status=status,
            data={**licence.data, "term": {**licence.data["term"], "start": start.isoformat()}},
            created_at=made,
            via="renewal",
            parent_id=licence.id,
            relation=RENEWAL,
        )


def _quote_data(data: dict[str, Any], issued: date) -> dict[str, Any]:
    return {
        **data,
        "issued_on": issued.isoformat(),
        "valid_until": (issued + QUOTE_VALIDITY).isoformat(),
    }


def customer_record(proto: Prototype, client: Customer) -> dict[str, Any]:
    return {**proto.customer, "name": client.name, "account_id": str(client.id)}


def utc(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
