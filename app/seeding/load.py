"""`contractdesk seed`: customers, licences and quotes with their files and audit events,
written with PostgreSQL's COPY (through psycopg, under SQLAlchemy's connection) so that a
million documents load in minutes. The prototypes are made through the ordinary use case
(resolved, assembled, rendered, stored), so every seeded document opens, lists and
downloads like one made by hand."""

from __future__ import annotations

import functools
import json
import random
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, text

from app.assembly.subscription.renewal_values import renewal_values
from app.audit.models import AuditEvent
from app.audit.services import GENESIS, entry_hash
from app.config import PROJECT_ROOT
from app.counters import SequenceCounter
from app.db import utcnow
from app.documents.creating import render_new_document
from app.documents.models import RENEWAL, Document, DocumentFile
from app.documents.records import CREATOR_ROLES
from app.runtime import Runtime
from app.seeding import rows
from app.users.models import User

Progress = Callable[[str], None]
CREATED = "document.created"
SEED_ACTOR = "seed"
BATCH = 50_000
"""Rows between progress lines."""


class SeedRefused(Exception):
    """The database is not one to seed: not PostgreSQL, not initialised, or not empty."""


def seed(runtime: Runtime, sizes: rows.Sizes, progress: Progress, *, seed: int = 23) -> None:
    """Load `sizes` into an initialised, empty PostgreSQL database, then ANALYZE it."""
    if runtime.engine.dialect.name != "postgresql":
        raise SeedRefused("contractdesk seed loads PostgreSQL only (it writes with COPY)")
    with runtime.session_factory() as session:
        if session.scalar(select(func.count()).select_from(Document)):
            raise SeedRefused("the database already holds documents; seed an empty one")
        creators = list(
            session.scalars(
                select(User.id).where(User.role.in_(CREATOR_ROLES)).order_by(User.email)
            )
        )
    if not creators:
        raise SeedRefused("no users to own the documents: run `contractdesk init --demo` first")
    rng = random.Random(seed)  # noqa: S311 - repeatable test data, not secrets
    now = utcnow()
    clients = rows.customers(sizes.customers, now, rng)
    _copy(runtime, "account", _account_rows(clients), progress)
    licence, quote, pending = _prototypes(runtime, clients[0], creators[0])
    numbers = rows.Numbers()
    documents = list(
        rows.documents(sizes, clients, licence, quote, pending, creators, now, rng, numbers)
    )
    window = runtime.settings.renewal_window_days
    documents += list(rows.renewals(documents, window, now, rng, numbers))
    _copy(runtime, "document", (_document_row(d) for d in documents), progress)
    _copy(runtime, "document_file", _file_rows(documents, rng), progress)
    _copy_audit(runtime, documents, progress)
    with runtime.engine.begin() as connection:
        for name, value in numbers.counters.items():
            connection.execute(
                text(
                    "INSERT INTO sequence_counter (name, value) VALUES (:name, :value) "
                    "ON CONFLICT (name) DO UPDATE SET value = greatest("
                    "sequence_counter.value, excluded.value)"
                ),
                {"name": name, "value": value},
            )
        connection.execute(text("ANALYZE"))
    progress(f"seeded {sizes.customers} customers and {len(documents)} documents; analysed")


def _prototypes(
    runtime: Runtime, client: rows.Customer, actor_id: uuid.UUID
) -> tuple[rows.Prototype, rows.Prototype, rows.Prototype]:
    licence = _sample("licence-agreement")
    quote = _sample("quote")
    costly = {
        **quote,
        "lines": [{**line, "discount_percent": "45"} for line in quote["lines"]],
    }
    made = [
        _prototype(runtime, template, {**data, "account": str(client.id)}, actor_id)
        for template, data in (("licence-agreement", licence), ("quote", quote), ("quote", costly))
    ]
    return made[0], made[1], made[2]


def _sample(template: str) -> dict[str, Any]:
    path = PROJECT_ROOT / "contract_templates" / template / "sample.json"
    sample: dict[str, Any] = json.loads(path.read_text())
    return sample


def _prototype(
    runtime: Runtime, template: str, data: dict[str, Any], actor_id: uuid.UUID
) -> rows.Prototype:
    uow = runtime.unit_of_work()
    with uow:
        actor = uow.session.get_one(User, actor_id)
    document_id = render_new_document(
        uow, template=template, data=data, external_ref=None, actor=actor, via="batch"
    )
    with runtime.session_factory() as session:
        document = session.get_one(Document, document_id)
        files = [
            {
                "kind": f.kind,
                "version": f.version,
                "content_type": f.content_type,
                "storage_key": f.storage_key,
                "storage_version_id": f.storage_version_id,
                "sha256": f.sha256,
                "size": f.size,
            }
            for f in session.scalars(
                select(DocumentFile).where(DocumentFile.document_id == document_id)
            )
        ]
        return rows.Prototype(
            id=document.id,
            kind=document.kind,
            number_prefix=document.number.split("-")[0],
            template_version_id=document.template_version_id,
            data=document.data,
            customer=document.customer,
            totals=document.totals,
            currency=document.currency,
            approvals_required=document.approvals_required,
            files=files,
        )


def _account_rows(clients: list[rows.Customer]) -> Iterable[Sequence[Any]]:
    for c in clients:
        address = f"{c.name}\nLibrary Road 1"
        yield (c.id, c.created_at, c.name, c.country, address, c.region, c.crm_id, False)


ACCOUNT_COLUMNS = (
    "id",
    "created_at",
    "name",
    "country",
    "address",
    "region",
    "crm_id",
    "requires_po",
)
DOCUMENT_COLUMNS = (
    "id", "created_at", "updated_at", "number", "kind", "status", "template_version_id",
    "account_id", "customer", "data", "currency", "totals", "approvals_required",
    "non_standard", "external_ref", "created_by_id", "current_version", "created_via",
    "parent_id", "relation", "renewal_starts_on", "renewal_net_annual", "renewal_net_term",
)  # fmt: skip
FILE_COLUMNS = (
    "id", "created_at", "document_id", "kind", "version", "content_type", "storage_key",
    "storage_version_id", "sha256", "size",
)  # fmt: skip
AUDIT_COLUMNS = (
    "id", "created_at", "seq", "tag", "subject_type", "subject_id", "actor_id", "actor_label",
    "data", "prev_hash", "hash",
)  # fmt: skip
COLUMNS = {
    "account": ACCOUNT_COLUMNS,
    "document": DOCUMENT_COLUMNS,
    "document_file": FILE_COLUMNS,
    "audit_event": AUDIT_COLUMNS,
}


def _document_row(d: rows.SeededDocument) -> Sequence[Any]:
    p = d.prototype
    return (
        d.id,
        d.created_at,
        d.created_at,
        d.number,
        p.kind,
        d.status,
        p.template_version_id,
        d.customer.id,
        json.dumps(rows.customer_record(p, d.customer)),
        json.dumps(d.data),
        p.currency,
        json.dumps(p.totals),
        json.dumps(d.approvals_required),
        False,
        d.external_ref,
        d.created_by_id,
        1,
        d.via,
        d.parent_id,
        d.relation,
        *_renewal_figures(d),
    )


@functools.cache
def _priced(record: str) -> tuple[Decimal, Decimal]:
    data, totals = json.loads(record)
    return renewal_values(data, totals)


def _renewal_figures(d: rows.SeededDocument) -> tuple[date | None, Decimal | None, Decimal | None]:
    """What a renewal stores for the pipeline, as the service stores it when it makes one;
    renewals alike but for their first day are priced once (whole contract years)."""
    if d.relation != RENEWAL:
        return None, None, None
    start = d.data["term"]["start"]
    by_years = d.data.get("invoice_periods", "contract-years") == "contract-years"
    alike = {**d.data, "term": {**d.data["term"], "start": "2000-01-01"}} if by_years else d.data
    kept = {k: v for k, v in alike.items() if k not in ("titles", "issued_on")}
    annual, term = _priced(json.dumps([kept, d.prototype.totals], sort_keys=True))
    return date.fromisoformat(start), annual, term


def _file_rows(documents: list[rows.SeededDocument], rng: random.Random) -> Iterable[Sequence[Any]]:
    for d in documents:
        for f in d.prototype.files:
            yield (uuid.UUID(int=rng.getrandbits(128), version=4), d.created_at, d.id, *f.values())


def _copy(
    runtime: Runtime, table: str, values: Iterable[Sequence[Any]], progress: Progress
) -> None:
    columns = COLUMNS[table]
    raw = runtime.engine.raw_connection()
    try:
        cursor = raw.driver_connection.cursor()  # type: ignore[union-attr]
        count = 0
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in values:
                copy.write_row(tuple(row))
                count += 1
                if count % BATCH == 0:
                    progress(f"{table}: {count} rows")
        raw.commit()
    finally:
        raw.close()
    progress(f"{table}: {count} rows loaded")


def _copy_audit(runtime: Runtime, documents: list[rows.SeededDocument], progress: Progress) -> None:
    """A `document.created` entry for each document, continuing the hash chain."""
    with runtime.session_factory() as session:
        last = session.execute(
            select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
        ).first()
    seq, prev = (last[0], last[1]) if last else (0, GENESIS)
    start = seq

    def entries() -> Iterable[Sequence[Any]]:
        nonlocal seq, prev
        for d in documents:
            seq += 1
            subject = ("document", str(d.id))
            data = {"number": d.number, "total": d.prototype.totals.get("total")}
            digest = entry_hash(
                seq=seq,
                tag=CREATED,
                subject=subject,
                actor_label=SEED_ACTOR,
                at=d.created_at,
                data=data,
                prev_hash=prev,
            )
            row = (uuid.uuid4(), d.created_at, seq, CREATED, *subject, d.created_by_id)
            yield (*row, SEED_ACTOR, json.dumps(data), prev, digest)
            prev = digest

    _copy(runtime, "audit_event", entries(), progress)
    with runtime.engine.begin() as connection:
        connection.execute(
            SequenceCounter.__table__.update()  # type: ignore[attr-defined]
            .where(SequenceCounter.name == "audit")
            .values(value=seq)
        )
    progress(f"audit chain: {seq - start} entries appended")
