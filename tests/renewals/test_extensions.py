"""A term extension against the licence's renewal and the approval matrix: an extension
is priced, approved like any deal of its value and length, never overlaps a signed
renewal, and moves an unsigned renewal draft to start the day after the new end."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from apiflask import APIFlask
from sqlalchemy import select

from app.approvals.rules import facts_of
from app.audit.models import AuditEvent
from app.documents.models import Document
from app.renewals.services import sweep
from app.runtime import Runtime
from tests.conftest import WAIT, bearer, row_counts
from tests.support.flows import send_and_sign, signed_licence

D = Decimal


def _extend(
    app: APIFlask,
    licence_id: str,
    new_end: str,
    effective: str = "2029-11-01",
    headers: dict[str, str] | None = None,
) -> Any:
    return app.test_client().post(
        f"/api/v1/documents/{licence_id}/amendments",
        json={"effective_date": effective, "new_end_date": new_end},
        headers={**(headers or bearer(app, "support@example.com")), **WAIT},
    )


def _renewal(runtime: Runtime, renewal_id: Any) -> Document:
    uow = runtime.unit_of_work()
    with uow:
        document = uow.session.get(Document, renewal_id)
        assert document is not None
        uow.session.expunge(document)
        return document


def test_an_extension_worth_more_than_a_tier_waits_for_its_approval(app: APIFlask) -> None:
    """The matrix's large-deal tier fires above 100,000 EUR net and its long-term tier above
    three years: a licence of 30,000 a year for three years (92,727.00 with the uplift)
    needs neither; extending it by four years adds 137,146.86 and four years, so it needs
    both, like a new deal of that value and length."""
    lines = [{"description": "Journal collection", "unit_price": "30000.00", "quantity": 1}]
    licence = signed_licence(app, lines=lines, titles=[])  # 90,000 + uplift: 92,727.00
    answer = _extend(app, licence["id"], "2033-12-31", effective="2028-06-01")
    assert answer.status_code == 201, answer.json
    amendment = answer.json
    # each added year priced as a further year with the uplift: 2030 to 2033
    assert [line["amount"] for line in amendment["lines"]] == [
        "32781.81",
        "33765.26",
        "34778.22",
        "35821.57",
    ]
    assert amendment["totals"]["net"] == "137146.86"
    assert amendment["status"] == "pending_approval"
    assert {rule["rule"] for rule in amendment["approvals_required"]} == {
        "large-deal",
        "long-term",
    }


def test_an_extension_is_judged_by_the_years_it_adds() -> None:
    record = {"currency": "EUR", "net": "20000.00", "subtotal": "20000.00", "discount": "0"}
    one_year = {
        "currency": "EUR",
        "agreement": {
            "number": "L-2027-000001",
            "date": "2027-01-01",
            "term_ends_on": "2029-12-31",
        },
        "effective_date": "2029-06-01",
        "new_end_date": "2030-12-31",
    }
    assert facts_of(record, one_year).term_years == 1
    assert facts_of(record, {**one_year, "new_end_date": "2033-06-30"}).term_years == 4
    titles_only = {k: v for k, v in one_year.items() if k != "new_end_date"}
    assert facts_of(record, titles_only).term_years == 1


def test_an_extension_never_overlaps_a_signed_renewal(app: APIFlask) -> None:
    runtime: Runtime = app.extensions["contractdesk"]
    licence = signed_licence(app)  # 2027 to 2029
    [renewal_id] = sweep(runtime.unit_of_work(), today=date(2029, 10, 15)).renewals
    send_and_sign(app, str(renewal_id))
    support = bearer(app, "support@example.com")
    before = row_counts(runtime)
    answer = _extend(app, licence["id"], "2030-12-31", headers=support)
    assert answer.status_code == 422
    [error] = answer.json["errors"]
    assert error["pointer"] == "/new_end_date"
    assert "2030-01-01" in error["detail"]
    assert row_counts(runtime) == before


def test_a_signed_extension_moves_the_renewal_draft_after_the_new_end(app: APIFlask) -> None:
    runtime: Runtime = app.extensions["contractdesk"]
    licence = signed_licence(app)  # 2027 to 2029, 3 % uplift
    [renewal_id] = sweep(runtime.unit_of_work(), today=date(2029, 10, 15)).renewals
    drafted = _renewal(runtime, renewal_id)
    assert drafted.data["term"]["start"] == "2030-01-01"
    assert drafted.totals["lines"][0]["unit_price"] == "20215.45"  # 18,500 x 1.03^3

    extension = _extend(app, licence["id"], "2030-12-31")
    assert extension.status_code == 201 and extension.json["status"] == "draft"
    # an extension not yet signed changes nothing
    assert sweep(runtime.unit_of_work(), today=date(2029, 11, 2)).redated == []
    send_and_sign(app, extension.json["id"])

    result = sweep(runtime.unit_of_work(), today=date(2029, 11, 3))
    assert result.redated == [renewal_id] and result.renewals == []
    moved = _renewal(runtime, renewal_id)
    assert moved.number == drafted.number and moved.current_version == 2
    assert moved.data["term"] == {"start": "2031-01-01", "years": 3}
    # priced for 2031: one more year of uplift on the extended 2030
    assert moved.totals["lines"][0]["unit_price"] == "20821.91"
    uow = runtime.unit_of_work()
    with uow:
        [event] = uow.session.scalars(
            select(AuditEvent).where(AuditEvent.tag == "renewal.redated")
        ).all()
        assert event.data["start"] == {"before": "2030-01-01", "after": "2031-01-01"}

    before = row_counts(runtime)
    again = sweep(runtime.unit_of_work(), today=date(2029, 11, 4))
    assert again.redated == [] and again.renewals == []
    assert row_counts(runtime) == before


def test_an_amendment_is_judged_a_year_at_a_time_under_the_annual_figure() -> None:
    record = {
        "currency": "EUR",
        "net": "60000.00",
        "subtotal": "60000.00",
        "discount": "0.00",
        "lines": [
            {"quantity": 1, "unit_price": amount, "amount": amount}
            for amount in ("30000.00", "-1000.00", "31000.00")
        ],
    }
    data = {
        "currency": "EUR",
        "lines": [
            {"period_start": "2030-01-01"},
            {"period_start": "2030-01-01"},
            {"period_start": "2031-01-01"},
        ],
    }
    facts = facts_of(record, data)
    assert (facts.net_term, facts.net_annual) == (D("60000.00"), D("31000.00"))
