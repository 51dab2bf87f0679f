"""The approval queue, the renewal pipeline and order to bill as counted for a large
book (a page of the queue, stored renewal values, counting in PostgreSQL) give what the
one-by-one computations give, on a small seed."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from apiflask import APIFlask
from sqlalchemy import select

from app.accounts.models import Account
from app.approvals.splitting import split_flag
from app.assembly.subscription.renewal_values import renewal_values
from app.db import utcnow
from app.documents.approval_queue import queue_page, waiting_count, waiting_for
from app.documents.models import RENEWAL, Document
from app.renewals import services as renewals
from app.renewals.candidates import licences_to_sweep
from app.renewals.pipeline import UNASSIGNED, quarter_of, renewal_pipeline
from app.reports.order_to_bill import _counted_here, order_to_bill
from app.runtime import Runtime
from app.seeding.load import seed
from app.seeding.rows import Sizes
from app.users.models import User
from tests.conftest import bearer, build_app, make_settings

SIZES = Sizes(customers=12, licences=150, documents=400, pending_share=0.1)


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


def test_the_queue_pages_add_up_to_the_whole_queue_with_the_same_flags(
    seeded: APIFlask,
) -> None:
    runtime = _runtime(seeded)
    matrix = runtime.settings.approval_matrix
    with runtime.session_factory() as session:
        manager = session.scalars(select(User).where(User.email == "manager@example.com")).one()
        whole = waiting_for(session, manager, matrix)
        assert len(whole) > 6
        seen: list[uuid.UUID] = []
        after = None
        while True:
            page = queue_page(session, manager, matrix, after=after, limit=4)
            assert page.total == len(whole)
            seen += [w.document.id for w in page.items]
            for w in page.items:
                assert w.split == split_flag(session, matrix, w.document)
            if page.next_after is None:
                break
            after = page.next_after
        assert seen == [w.document.id for w in whole]
        assert waiting_count(session, manager, matrix) == len(whole)
        created = [w.document.created_at for w in whole]
        assert created == sorted(created)

    client = seeded.test_client()
    headers = bearer(seeded, "manager@example.com")
    first = client.get("/api/v1/approval-queue?limit=5", headers=headers).json
    assert first["total"] == len(whole) and len(first["items"]) == 5
    second = client.get(
        f"/api/v1/approval-queue?limit=5&after={first['next_after']}", headers=headers
    ).json
    assert [i["id"] for i in first["items"] + second["items"]] == [
        str(w.document.id) for w in whole[:10]
    ]


def test_renewals_store_the_values_they_are_priced_at(seeded: APIFlask) -> None:
    with _runtime(seeded).session_factory() as session:
        renewals = session.scalars(select(Document).where(Document.relation == RENEWAL)).all()
        assert renewals
        for renewal in renewals:
            annual, term = renewal_values(renewal.data, renewal.totals)
            assert (renewal.renewal_net_annual, renewal.renewal_net_term) == (annual, term)
            assert renewal.renewal_starts_on == date.fromisoformat(renewal.data["term"]["start"])
        others = session.scalars(
            select(Document.renewal_net_term).where(Document.relation.is_(None))
        ).all()
        assert set(others) == {None}


def test_the_renewal_pipeline_equals_pricing_each_renewal_on_the_view(seeded: APIFlask) -> None:
    runtime = _runtime(seeded)
    matrix = runtime.settings.approval_matrix
    with runtime.session_factory() as session:
        rows = renewal_pipeline(session, matrix)
        counts: dict[tuple[str, str, str], int] = defaultdict(int)
        annual: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
        term: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
        for data, status, totals, currency, region in session.execute(
            select(
                Document.data, Document.status, Document.totals, Document.currency, Account.region
            )
            .outerjoin(Account, Account.id == Document.account_id)
            .where(Document.relation == RENEWAL, Document.status != "cancelled")
        ):
            key = (
                region or UNASSIGNED,
                quarter_of(date.fromisoformat(data["term"]["start"])),
                status,
            )
            first_year, whole_term = renewal_values(data, totals)
            counts[key] += 1
            annual[key] += matrix.in_base(first_year, currency)
            term[key] += matrix.in_base(whole_term, currency)
    expected = [
        (
            k[0],
            k[1],
            k[2],
            counts[k],
            annual[k].quantize(Decimal("0.01")),
            term[k].quantize(Decimal("0.01")),
        )
        for k in sorted(counts, key=lambda k: (k[1], k[0], k[2]))
    ]
    assert len(expected) > 1
    assert [
        (r.region, r.quarter, r.status, r.count, r.net_annual, r.net_term) for r in rows
    ] == expected


def test_order_to_bill_counted_in_postgresql_equals_counting_each_document(
    seeded: APIFlask,
) -> None:
    with _runtime(seeded).session_factory() as session:
        for year in (None, utcnow().year, utcnow().year - 1):
            counted = order_to_bill(session, year)
            assert counted == _counted_here(session, year)
        assert sum(r.created for r in order_to_bill(session)) > SIZES.documents


def test_after_a_sweep_the_next_day_picks_only_what_needs_action(seeded: APIFlask) -> None:
    runtime = _runtime(seeded)
    settings = runtime.settings
    today = utcnow().date()
    horizon = today + timedelta(days=settings.renewal_window_days)
    swept = renewals.sweep(runtime.unit_of_work(), today=today)
    assert swept.problems == []
    tomorrow = today + timedelta(days=1)
    with runtime.session_factory() as session:
        picked = licences_to_sweep(
            session, tomorrow, horizon + timedelta(days=1), (0, 1), settings.renewal_reminder_days
        )
        amended = set(
            session.scalars(select(Document.parent_id).where(Document.relation == "amendment"))
        )
        open_renewals = set(
            session.scalars(
                select(Document.parent_id).where(
                    Document.relation == RENEWAL, Document.status.not_in(("signed", "cancelled"))
                )
            )
        )
        renewed = set(
            session.scalars(select(Document.parent_id).where(Document.relation == RENEWAL))
        )
    assert open_renewals  # each was read closely every day before
    # the rest come into the window tomorrow and have no renewal yet
    assert (set(picked) - amended - open_renewals).isdisjoint(renewed)
    assert len(set(picked) & open_renewals) < len(open_renewals) / 4
    renewals.sweep(runtime.unit_of_work(), today=tomorrow)
    again = renewals.sweep(runtime.unit_of_work(), today=tomorrow)
    assert (again.renewals, again.redated, again.problems, again.reminders) == ([], [], [], 0)
