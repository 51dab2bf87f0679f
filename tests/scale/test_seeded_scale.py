"""A small `contractdesk seed` (a few hundred documents) on the real PostgreSQL: the
seeded documents list, search and open like any other; the hot queries use their
indexes (EXPLAIN, with sequential scans priced out so that a few hundred rows give the
plan a million would); keyset pages give every document once while documents arrive;
the sweeps are resumable and idempotent. The figures at scale are in bench/scale.py."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from apiflask import APIFlask
from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session

from app.accounts.models import Account
from app.assembly.subscription.renewal_values import renewal_values
from app.db import utcnow
from app.documents import validity
from app.documents.approval_queue import waiting_for
from app.documents.listing import DocumentFilter, list_documents
from app.documents.models import EXPIRED, RENEWAL, Document
from app.entry import runtime_for
from app.renewals import services as renewals
from app.renewals.candidates import licences_to_sweep
from app.renewals.pipeline import renewal_pipeline
from app.reports.order_to_bill import order_to_bill
from app.runtime import Runtime
from app.seeding.load import SeedRefused, seed
from app.seeding.rows import Sizes
from app.users.models import User
from tests.conftest import bearer, build_app, make_settings
from tests.web.test_form_errors import sign_in

SIZES = Sizes(customers=40, licences=120, documents=400, pending_share=0.02)


@pytest.fixture(scope="module")
def seeded(
    postgres_url: str, tmp_path_factory: pytest.TempPathFactory, instance_dir: Path
) -> Iterator[APIFlask]:
    app = build_app(make_settings(postgres_url, tmp_path_factory.mktemp("seed"), instance_dir))
    seed(app.extensions["contractdesk"], SIZES, lambda line: None)
    yield app
    app.extensions["contractdesk"].close()


def _runtime(app: APIFlask) -> Runtime:
    runtime: Runtime = app.extensions["contractdesk"]
    return runtime


def test_the_seeded_documents_list_search_and_open(seeded: APIFlask) -> None:
    client = seeded.test_client()
    reader = bearer(seeded, "support@example.com")
    with _runtime(seeded).session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Document)) > SIZES.documents
        client_account = session.scalars(select(Account).order_by(Account.crm_id)).first()
        assert client_account is not None
    number = client_account.name.rsplit(" ", 1)[-1]
    found = client.get(f"/api/v1/documents?search={number}&limit=100", headers=reader).json
    assert found["documents"]
    assert all(d["account"]["name"] == client_account.name for d in found["documents"])
    one = found["documents"][0]
    assert client.get(f"/api/v1/documents/{one['id']}", headers=reader).status_code == 200
    sign_in(client, "manager@example.com")
    assert client.get(f"/documents/{one['id']}").status_code == 200
    home = client.get(f"/?scope=all&search={number}").text
    assert one["number"] in home
    assert client.get("/approvals").status_code == 200
    assert client.get("/reports/renewals").status_code == 200
    assert client.get("/reports/order-to-bill?year=2026").status_code == 200


def test_a_second_seed_is_refused(seeded: APIFlask) -> None:
    with pytest.raises(SeedRefused, match="already holds documents"):
        seed(_runtime(seeded), Sizes(customers=1, licences=0, documents=1), lambda line: None)


def _plans(session: Session, action: Callable[[], object]) -> list[str]:
    """The plans PostgreSQL makes for the SELECTs `action` runs, sequential scans priced
    out as a million rows would price them."""
    statements: list[tuple[str, Any]] = []
    connection = session.connection()

    def capture(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, params))

    event.listen(connection, "before_cursor_execute", capture)
    try:
        action()
    finally:
        event.remove(connection, "before_cursor_execute", capture)
    session.execute(text("SET LOCAL enable_seqscan = off"))
    plans = []
    for statement, params in statements:
        rows = connection.exec_driver_sql(f"EXPLAIN {statement}", params).all()
        plans.append("\n".join(row[0] for row in rows))
    return plans


def _uses(plans: list[str], index: str) -> bool:
    return any(index in plan for plan in plans)


def test_the_hot_queries_use_their_indexes(seeded: APIFlask) -> None:
    runtime = _runtime(seeded)
    matrix = runtime.settings.approval_matrix
    with runtime.session_factory() as session:
        account = session.scalars(select(Account).order_by(Account.crm_id)).first()
        manager = session.scalars(select(User).where(User.role == "manager")).first()
        assert account is not None and manager is not None

        def listed(**criteria: Any) -> list[str]:
            return _plans(
                session,
                lambda: list_documents(session, DocumentFilter(**criteria), limit=50, cursor=None),
            )

        first = list_documents(session, DocumentFilter(), limit=50, cursor=None)
        expected: list[tuple[str, list[str], str]] = [
            ("first page", listed(), "ix_document_created"),
            (
                "next page",
                _plans(
                    session,
                    lambda: list_documents(
                        session, DocumentFilter(), limit=50, cursor=first.next_cursor
                    ),
                ),
                "ix_document_created",
            ),
            ("status", listed(status="sent"), "ix_document_status_created"),
            ("customer", listed(account_id=account.id), "ix_document_account_created"),
            ("reference", listed(external_ref="OPP-00000007"), "ix_document_external_ref"),
            ("customer name", listed(search=account.name[-8:]), "ix_account_name_trgm"),
            ("customer name, documents", listed(search=account.name[-8:]), "ix_document_account"),
            ("number part", listed(search="-000123"), "ix_document_number_trgm"),
            (
                "approval queue",
                _plans(session, lambda: waiting_for(session, manager, matrix)),
                "ix_document_status_created",
            ),
            (
                "renewal report",
                _plans(session, lambda: renewal_pipeline(session, matrix)),
                "ix_document_renewal_values",
            ),
            (
                "order to bill, a year",
                _plans(session, lambda: order_to_bill(session, utcnow().year)),
                "ix_document_created",
            ),
            (
                "renewals sweep",
                _plans(session, lambda: licences_to_sweep(session, date.today(), date.today())),
                "ix_document_kind_status",
            ),
        ]
        missing = [(name, index) for name, plans, index in expected if not _uses(plans, index)]
        assert missing == [], "\n\n".join(
            plan for name, plans, _ in expected for plan in plans if name in dict(missing)
        )


def _insert_copy(session: Session, document: Document) -> None:
    """A new document arriving (a copy of one, under a new number, created now)."""
    fresh = Document(
        **{
            c.key: getattr(document, c.key)
            for c in Document.__table__.columns  # type: ignore[attr-defined]
            if c.key not in ("id", "number", "created_at", "parent_id", "relation")
        },
        id=uuid.uuid4(),
        number=f"X-{uuid.uuid4().hex[:12]}",
        created_at=utcnow(),
    )
    session.add(fresh)
    session.commit()


def test_keyset_pages_give_every_document_once_while_documents_arrive(seeded: APIFlask) -> None:
    with _runtime(seeded).session_factory() as session:
        before = set(session.scalars(select(Document.id)))
        seen: list[uuid.UUID] = []
        cursor = None
        while True:
            page = list_documents(session, DocumentFilter(), limit=37, cursor=cursor)
            seen += [d.id for d in page.documents]
            _insert_copy(session, page.documents[0])
            cursor = page.next_cursor
            if cursor is None:
                break
        assert len(seen) == len(set(seen))
        assert before <= set(seen)
        arrived = set(session.scalars(select(Document.id))) - before
        assert not arrived & set(seen)  # newer than the first page: on no later page


def _renewals(session: Session) -> int:
    return session.scalar(select(func.count()).where(Document.relation == RENEWAL)) or 0


def test_the_renewals_sweep_resumes_and_makes_nothing_twice(seeded: APIFlask) -> None:
    runtime = _runtime(seeded)
    today = utcnow().date() + timedelta(days=45)
    with runtime.session_factory() as session:
        start = _renewals(session)
        horizon = today + timedelta(days=runtime.settings.renewal_window_days)
        everyone = licences_to_sweep(session, today, horizon)
        halves = [licences_to_sweep(session, today, horizon, (i, 2)) for i in (0, 1)]
    assert sorted(halves[0] + halves[1]) == sorted(everyone)
    assert not set(halves[0]) & set(halves[1])

    first = renewals.sweep(runtime.unit_of_work(), today=today, part=(0, 2))  # then it stops
    rest = renewals.sweep(runtime.unit_of_work(), today=today)
    again = renewals.sweep(runtime.unit_of_work(), today=today)  # reminds of the new drafts
    once_more = renewals.sweep(runtime.unit_of_work(), today=today)
    assert first.problems == rest.problems == again.problems == once_more.problems == []
    assert len(first.renewals) + len(rest.renewals) > 0
    assert not set(first.renewals) & set(rest.renewals)
    assert (again.renewals, again.redated) == ([], [])
    assert (once_more.renewals, once_more.redated, once_more.reminders) == ([], [], 0)
    with runtime.session_factory() as session:
        assert _renewals(session) == start + len(first.renewals) + len(rest.renewals)


def test_the_quote_expiry_sweep_expires_only_the_past_and_once(seeded: APIFlask) -> None:
    runtime = _runtime(seeded)
    later = utcnow().date() + timedelta(days=40)
    with runtime.session_factory() as session:
        open_quotes = session.scalars(
            select(Document).where(
                Document.kind == "quote", Document.status.in_(validity.EXPIRABLE)
            )
        ).all()
        due = {d.id for d in open_quotes if validity.is_past(d, later)}
    assert due
    assert validity.expire_quotes(runtime.unit_of_work(), today=later) == len(due)
    assert validity.expire_quotes(runtime.unit_of_work(), today=later) == 0
    with runtime.session_factory() as session:
        statuses = set(session.scalars(select(Document.status).where(Document.id.in_(due))))
    assert statuses == {EXPIRED}


def test_the_renewal_report_prices_alike_renewals_as_each_alone(seeded: APIFlask) -> None:
    runtime = _runtime(seeded)
    matrix = runtime.settings.approval_matrix
    with runtime.session_factory() as session:
        rows = renewal_pipeline(session, matrix)
        renewals_open = session.execute(
            select(Document.data, Document.totals, Document.currency).where(
                Document.relation == RENEWAL, Document.status != "cancelled"
            )
        ).all()
    assert len(renewals_open) > 1
    one_by_one = sum(
        matrix.in_base(renewal_values(data, totals)[1], currency)
        for data, totals, currency in renewals_open
    )
    assert sum(r.count for r in rows) == len(renewals_open)
    assert abs(sum(r.net_term for r in rows) - one_by_one) < Decimal("0.01") * len(rows)


def test_seeding_sqlite_is_refused(tmp_path: Path, instance_dir: Path) -> None:
    runtime = runtime_for(make_settings(f"sqlite:///{tmp_path / 'd.db'}", tmp_path, instance_dir))
    try:
        with pytest.raises(SeedRefused, match="PostgreSQL only"):
            seed(runtime, SIZES, lambda line: None)
    finally:
        runtime.close()
