"""A renewal drafted from the licence as amended, as a finance controller checks it: the
titles and products amendments added are in, those removed are out, a changed price and an
extension are respected, and the customer's old purchase order stays with the old term."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from apiflask import APIFlask
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.documents.models import Document
from app.renewals.services import sweep
from app.runtime import Runtime
from tests.conftest import WAIT, bearer, row_counts
from tests.support.flows import send_and_sign, signed_licence

D = Decimal
PHOTONICS = {
    "title": "Journal of Sample Photonics",
    "issn": "2049-3630",
    "subject": "Physics",
    "price": "1450.00",
}
CHEMISTRY = "1037-0536"  # Annals of Sample Chemistry, 1,285.00 a year within the fees


def _amend(app: APIFlask, licence_id: str, request: dict[str, Any]) -> dict[str, Any]:
    client = app.test_client()
    made = client.post(
        f"/api/v1/documents/{licence_id}/amendments",
        json=request,
        headers={**bearer(app, "support@example.com"), **WAIT},
    )
    assert made.status_code == 201, made.json
    assert made.json["status"] == "draft", made.json
    send_and_sign(app, made.json["id"])
    return dict(made.json)


def _stored(runtime: Runtime, document_id: Any) -> Document:
    uow = runtime.unit_of_work()
    with uow:
        document = uow.session.get(Document, document_id)
        assert document is not None
        uow.session.expunge(document)
        return document


def test_the_renewal_follows_every_signed_amendment(app: APIFlask) -> None:
    runtime: Runtime = app.extensions["contractdesk"]
    # 2027 to 2029, 3 % uplift: physics 18,500; engineering 9,600 less 5 %; PO-SAMPLE-2027
    licence = signed_licence(app, invoice_periods="calendar-years")
    _amend(
        app,
        licence["id"],
        {
            "effective_date": "2027-07-01",
            "titles_added": [PHOTONICS],
            "titles_removed": [{"issn": CHEMISTRY}],
            "products_added": [{"description": "Research data archive", "unit_price": "2000.00"}],
            "new_end_date": "2030-12-31",
        },
    )
    _amend(
        app,
        licence["id"],
        {
            "effective_date": "2029-03-01",
            "price_changes": [{"line": "line-1", "unit_price": "20500.00"}],
        },
    )

    assert sweep(runtime.unit_of_work(), today=date(2029, 10, 15)).renewals == []  # extended
    made = sweep(runtime.unit_of_work(), today=date(2030, 10, 15))
    assert len(made.renewals) == 1 and made.problems == []
    renewal = _stored(runtime, made.renewals[0])

    assert renewal.data["term"] == {"start": "2031-01-01", "years": 3}
    assert renewal.data["invoice_periods"] == "calendar-years"
    assert renewal.data["po_number"] is None
    titles = {t["title"] for t in renewal.data["titles"]}
    assert "Journal of Sample Photonics" in titles
    assert "Annals of Sample Chemistry" not in titles
    assert len(titles) == 12
    # Each line at its 2030 price with the uplift once more: physics 20,500 from 2029,
    # 21,115.00 in 2030, 21,748.45 in 2031; engineering 9,600 → 10,490.18 in 2030 →
    # 10,804.89; photonics 1,450 (2027) → 1,584.46 in 2030 → 1,631.99; the archive 2,000
    # (2027) → 2,185.45 → 2,251.01. Chemistry's credit, 1,285 (2027) → 1,404.16 in 2030 →
    # 1,446.28, is taken off the fees as a header amount (a licence has no negative lines).
    assert [
        (line["description"], line["unit_price"], line["discount_percent"])
        for line in renewal.totals["lines"]
    ] == [
        ("Physics & Astronomy Journals Collection, online access", "21748.45", "0"),
        ("Engineering E-book Collection, annual subscription", "10804.89", "5"),
        ("Journal of Sample Photonics", "1631.99", "0"),
        ("Research data archive", "2251.01", "0"),
    ]
    assert renewal.data["discount_amount"] == "1446.28"
    # 21,748.45 + 10,264.65 + 1,631.99 + 2,251.01 - 1,446.28
    assert renewal.totals["years"][0]["net"] == "34449.82"


def test_the_sweep_drafts_no_renewal_of_a_cancelled_licence_and_withdraws_one_drafted(
    app: APIFlask,
) -> None:
    runtime: Runtime = app.extensions["contractdesk"]
    client = app.test_client()
    finance = bearer(app, "finance@example.com")
    drafted = signed_licence(app)
    never = signed_licence(app)
    assert (
        client.post(
            f"/api/v1/documents/{never['id']}/cancel",
            json={"reason": "Consortium dissolved", "effective_date": "2028-01-01"},
            headers=finance,
        ).status_code
        == 200
    )

    made = sweep(runtime.unit_of_work(), today=date(2029, 10, 15))
    assert len(made.renewals) == 1
    assert _stored(runtime, made.renewals[0]).parent_id is not None
    assert str(_stored(runtime, made.renewals[0]).parent_id) == drafted["id"]

    sent = client.post(
        f"/api/v1/documents/{made.renewals[0]}/send",
        json={"signers": [{"name": "Helen Marsh", "email": "h.marsh@example.org"}]},
        headers=bearer(app, "support@example.com"),
    )
    assert sent.status_code == 200, sent.json
    link = urlsplit(sent.json["signers"][0]["signing_url"]).path

    cancelled = client.post(
        f"/api/v1/documents/{drafted['id']}/cancel",
        json={"reason": "Library merged into another consortium", "effective_date": "2029-07-01"},
        headers=finance,
    )
    assert cancelled.status_code == 200, cancelled.json
    result = sweep(runtime.unit_of_work(), today=date(2029, 10, 20))
    assert result.renewals == [] and result.withdrawn == [made.renewals[0]]
    renewal = _stored(runtime, made.renewals[0])
    assert renewal.status == "cancelled"
    uow = runtime.unit_of_work()
    with uow:
        [event] = uow.session.scalars(
            select(AuditEvent).where(AuditEvent.tag == "renewal.withdrawn")
        ).all()
        assert event.subject_id == str(renewal.id)
        assert "cancelled" in event.data["reason"]
        assert event.data["status_before"] == "sent"
    # out for signature when the licence was cancelled: its envelope is voided
    assert client.get(link).status_code != 200
    before = row_counts(runtime)
    again = sweep(runtime.unit_of_work(), today=date(2029, 11, 1))
    assert again.withdrawn == [] and again.renewals == [] and again.reminders == 0
    assert row_counts(runtime) == before
