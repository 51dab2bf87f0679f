"""A three-year licence invoiced as a finance controller reconciles it: one invoice per
period when it is due, the difference an amendment makes, the credit a cancellation
gives, POs per period and invoices held for them; each event as the ERP receives it."""

from __future__ import annotations

import random
import threading
import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from apiflask import APIFlask

from app.assembly.subscription.invoices import schedule
from app.billing import invoicing
from app.documents.contracts import as_amended
from app.reports.order_to_bill import order_to_bill
from app.runtime import Runtime
from app.web.schemas.webhooks import InvoiceEvent
from tests.conftest import WAIT, WebhookReceiver, account_id, bearer, row_counts
from tests.support.flows import send_and_sign, signed_licence

D = Decimal
PHOTONICS = {
    "title": "Journal of Sample Photonics",
    "issn": "2049-3630",
    "eissn": "2049-3649",
    "subject": "Physics",
    "price": "1450.00",
}


def _subscribe(app: APIFlask, receiver: WebhookReceiver) -> None:
    answer = app.test_client().post(
        "/api/v1/webhook-endpoints",
        json={"url": receiver.url, "events": ["invoice.trigger", "invoice.credit"]},
        headers=bearer(app, "finance@example.com"),
    )
    assert answer.status_code == 201, answer.json


def _licence(app: APIFlask, account: str = "University", **changes: Any) -> dict[str, Any]:
    """The sample licence (2027 to 2029, 3 % uplift; 18,500 and 9,600 less 5 % a year) for
    a British library, taxed by the rules: domestic VAT at 20 %."""
    runtime: Runtime = app.extensions["contractdesk"]
    return signed_licence(
        app, account=account_id(runtime, account), tax_rate_percent=None, **changes
    )


def _events(app: APIFlask, receiver: WebhookReceiver) -> list[dict[str, Any]]:
    """What the ERP has booked (each webhook-id once), in the order received."""
    app.extensions["contractdesk"].jobs.wait_idle()
    return [
        receiver.ledger[hook.headers["webhook-id"]]
        for hook in receiver.received
        if hook.headers["webhook-id"] in receiver.ledger
    ]


def _sweep(app: APIFlask, on: date) -> None:
    runtime: Runtime = app.extensions["contractdesk"]
    assert invoicing.sweep(runtime.unit_of_work(), today=on).problems == []
    runtime.jobs.wait_idle()


def _adds_up(data: dict[str, Any]) -> None:
    """An invoice is the sum of its lines, and each line's gross its net and tax."""
    lines = data["lines"]
    for field in ("net", "tax"):
        assert sum(D(line[field]) for line in lines) == D(data[field]), field
    for line in lines:
        assert D(line["net"]) + D(line["tax"]) == D(line["gross"])
    assert D(data["net"]) + D(data["tax"]) == D(data["total"])


def test_a_licence_trigger_describes_its_first_invoice_alone(
    app: APIFlask, webhook_receiver: WebhookReceiver
) -> None:
    _subscribe(app, webhook_receiver)
    licence = _licence(app, po_number="PO-2027-1")
    [trigger] = _events(app, webhook_receiver)
    InvoiceEvent.model_validate(trigger)  # as the OpenAPI document describes it
    data = trigger["data"]
    assert trigger["type"] == "invoice.trigger" and data["kind"] == "invoice"
    assert data["contract"]["number"] == licence["number"]
    assert data["period"] == {"number": 1, "start": "2027-01-01", "end": "2027-12-31"}
    assert (data["invoice_on"], data["due_on"]) == ("2027-01-01", "2027-01-31")
    # year 1 alone: 18,500.00 + 9,600.00 less 5 % = 27,620.00 and 20 % VAT
    assert (data["net"], data["tax"], data["total"]) == ("27620.00", "5524.00", "33144.00")
    _adds_up(data)
    assert [line["tax_rate_percent"] for line in data["lines"]] == ["20", "20"]
    assert data["tax_bands"] == [{"tax_rate_percent": "20", "net": "27620.00", "tax": "5524.00"}]
    assert data["tax_treatment"] == "standard" and data["tax_note"] == ""
    assert data["po_number"] == "PO-2027-1"
    assert data["bill_to"]["name"] == "University of Northfield Library"
    assert data["bill_to"]["erp_id"] == "ERP-10021"
    assert "billing_schedule" not in data and "billing_lines" not in data
    assert [(p["start"], p["total"], p["status"]) for p in data["schedule"]] == [
        ("2027-01-01", "33144.00", "invoiced"),
        ("2028-01-01", "34138.32", "to_come"),
        ("2029-01-01", "35162.47", "to_come"),
    ]


def test_the_sweep_sends_each_later_period_once_on_the_day_it_starts(
    app: APIFlask, webhook_receiver: WebhookReceiver
) -> None:
    _subscribe(app, webhook_receiver)
    _licence(app)
    _sweep(app, date(2027, 12, 31))
    assert len(_events(app, webhook_receiver)) == 1

    runtime: Runtime = app.extensions["contractdesk"]
    start = threading.Barrier(2)

    def sweep() -> None:
        start.wait()
        invoicing.sweep(runtime.unit_of_work(), today=date(2028, 1, 1))

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    _sweep(app, date(2028, 1, 1))
    _sweep(app, date(2028, 1, 2))
    first, second = _events(app, webhook_receiver)
    data = second["data"]
    assert data["period"] == {"number": 2, "start": "2028-01-01", "end": "2028-12-31"}
    assert data["invoice_on"] == "2028-01-01"
    # 18,500 and 9,600 with the 3 % uplift: 19,055.00 + 9,888.00 less 5 % = 28,448.60
    assert (data["net"], data["tax"], data["total"]) == ("28448.60", "5689.72", "34138.32")
    _adds_up(data)
    assert [p["status"] for p in data["schedule"]] == ["invoiced", "invoiced", "to_come"]
    assert second["data"]["invoice_id"] != first["data"]["invoice_id"]


def test_an_amendment_sends_the_difference_and_the_next_year_carries_it(
    app: APIFlask, webhook_receiver: WebhookReceiver
) -> None:
    _subscribe(app, webhook_receiver)
    licence = _licence(app)
    client = app.test_client()
    amendment = client.post(
        f"/api/v1/documents/{licence['id']}/amendments",
        json={"effective_date": "2027-07-01", "titles_added": [PHOTONICS]},
        headers={**bearer(app, "support@example.com"), **WAIT},
    ).json
    send_and_sign(app, amendment["id"])
    [_, adjustment] = _events(app, webhook_receiver)
    data = adjustment["data"]
    assert adjustment["type"] == "invoice.trigger" and data["kind"] == "adjustment"
    assert data["document_number"] == amendment["number"]
    assert data["contract"]["amendments"] == [amendment["number"]]
    assert data["period"]["number"] == 1 and data["invoice_on"] == "2027-07-01"
    # 1,450 for 184 of 365 days = 730.96; a journal title is an e-publication, which the
    # UK zero-rates (since 1 May 2020), while the licence's packages pay 20 %
    [line] = data["lines"]
    assert (line["description"], line["net"], line["tax_rate_percent"], line["tax"]) == (
        "Journal of Sample Photonics",
        "730.96",
        "0",
        "0.00",
    )
    assert (line["charged_from"], line["charged_to"]) == ("2027-07-01", "2027-12-31")
    assert data["total"] == "730.96"
    assert data["schedule"][0]["total"] == str(D("33144.00") + D("730.96"))

    _sweep(app, date(2028, 1, 1))
    year2 = _events(app, webhook_receiver)[-1]["data"]
    photonics = next(line for line in year2["lines"] if line["description"] == PHOTONICS["title"])
    assert photonics["unit_price"] == "1493.50"  # 1,450 with the 3 % uplift
    assert year2["net"] == str(D("28448.60") + D("1493.50"))
    _adds_up(year2)


def test_a_cancellation_credits_the_rest_of_the_year_invoiced_and_nothing_after(
    app: APIFlask, webhook_receiver: WebhookReceiver
) -> None:
    _subscribe(app, webhook_receiver)
    licence = _licence(app)
    _sweep(app, date(2028, 1, 1))
    client = app.test_client()
    finance = bearer(app, "finance@example.com")
    url = f"/api/v1/documents/{licence['id']}/cancel"

    runtime: Runtime = app.extensions["contractdesk"]
    before = row_counts(runtime)
    for body, pointer in (
        ({"reason": "library closed"}, "/effective_date"),
        ({"reason": "library closed", "effective_date": "2026-12-31"}, "/effective_date"),
        ({"reason": "library closed", "effective_date": "2030-01-01"}, "/effective_date"),
        ({"reason": "library closed", "effective_date": "2028-07-01", "lines": [0]}, "/lines"),
    ):
        refused = client.post(url, json=body, headers=finance)
        assert refused.status_code == 422, refused.json
        assert refused.json["errors"][0]["pointer"] == pointer
    assert row_counts(runtime) == before

    done = client.post(
        url, json={"reason": "library closed", "effective_date": "2028-07-01"}, headers=finance
    )
    assert done.status_code == 200, done.json
    assert done.json["status"] == "cancelled"
    _sweep(app, date(2029, 1, 1))
    _sweep(app, date(2029, 6, 1))
    events = _events(app, webhook_receiver)
    assert [e["type"] for e in events] == ["invoice.trigger", "invoice.trigger", "invoice.credit"]
    InvoiceEvent.model_validate(events[-1])
    credit = events[-1]["data"]
    assert credit["kind"] == "credit" and credit["reason"] == "library closed"
    assert credit["period"]["number"] == 2
    # 2028 kept from 1 January to 30 June, 182 days of 365: 19,055.00 -> 9,501.40 and
    # 9,888.00 -> 4,930.45 less 5 % = 4,683.93; the rest of what was invoiced is credited
    assert [line["net"] for line in credit["lines"]] == ["-9553.60", "-4709.67"]
    assert (credit["net"], credit["tax"], credit["total"]) == (
        "-14263.27",
        "-2852.65",
        "-17115.92",
    )
    _adds_up(credit)
    assert [(p["end"], p["status"]) for p in credit["schedule"]] == [
        ("2027-12-31", "invoiced"),
        ("2028-06-30", "invoiced"),
    ]
    [cancellation] = done.json["cancellations"]
    assert (cancellation["effective_date"], cancellation["total"]) == ("2028-07-01", "17115.92")

    uow = runtime.unit_of_work()
    with uow:
        [row] = order_to_bill(uow.session)
    assert (row.signed, row.invoiced, row.cancelled, row.credit_notes) == (1, 1, 1, 1)


def test_a_po_for_a_period_invoiced_is_refused_and_a_later_one_is_carried(
    app: APIFlask, webhook_receiver: WebhookReceiver
) -> None:
    _subscribe(app, webhook_receiver)
    licence = _licence(app, po_number="PO-2027-1")
    client = app.test_client()
    support = bearer(app, "support@example.com")
    url = f"/api/v1/documents/{licence['id']}/purchase-orders"
    runtime: Runtime = app.extensions["contractdesk"]
    runtime.jobs.wait_idle()
    before = row_counts(runtime)
    for period in (1, 4):
        refused = client.post(url, json={"period": period, "po_number": "PO-X"}, headers=support)
        assert refused.status_code == 422, refused.json
        assert refused.json["errors"][0]["pointer"] == "/period"
    assert row_counts(runtime) == before

    done = client.post(url, json={"period": 2, "po_number": "PO-2028-7"}, headers=support)
    assert done.status_code == 200, done.json
    assert [p["po_number"] for p in done.json["periods"]] == ["PO-2027-1", "PO-2028-7", None]
    _sweep(app, date(2028, 1, 1))
    assert _events(app, webhook_receiver)[-1]["data"]["po_number"] == "PO-2028-7"
    again = client.post(url, json={"period": 2, "po_number": "PO-2028-8"}, headers=support)
    assert again.status_code == 422 and "PO-2028-7" in again.json["errors"][0]["detail"]


def test_an_invoice_without_the_po_the_customer_requires_is_held_until_it_is_set(
    app: APIFlask, webhook_receiver: WebhookReceiver
) -> None:
    _subscribe(app, webhook_receiver)
    client = app.test_client()
    runtime: Runtime = app.extensions["contractdesk"]
    consortium = account_id(runtime, "Consortium")
    setting = client.patch(
        f"/api/v1/accounts/{consortium}",
        json={"requires_po": True},
        headers=bearer(app, "finance@example.com"),
    )
    assert setting.status_code == 200 and setting.json["requires_po"] is True
    licence = _licence(app, account="Consortium", po_number=None)
    assert _events(app, webhook_receiver) == []
    [held] = client.get("/api/v1/invoices", headers=bearer(app, "finance@example.com")).json[
        "invoices"
    ]
    assert (held["contract_number"], held["period"], held["status"]) == (
        licence["number"],
        1,
        "held",
    )
    _sweep(app, date(2027, 1, 2))
    assert _events(app, webhook_receiver) == []

    answer = client.post(
        f"/api/v1/documents/{licence['id']}/purchase-orders",
        json={"period": 1, "po_number": "CDRL-2027-04"},
        headers=bearer(app, "support@example.com"),
    )
    assert answer.status_code == 200, answer.json
    [trigger] = _events(app, webhook_receiver)
    data = trigger["data"]
    assert data["invoice_id"] == held["id"] and data["po_number"] == "CDRL-2027-04"
    assert data["tax_treatment"] == "reverse_charge" and data["tax"] == "0.00"
    assert "Article 196 of Council Directive 2006/112/EC" in data["tax_note"]
    assert client.get("/api/v1/invoices", headers=bearer(app, "finance@example.com")).json == {
        "invoices": []
    }


def _issn(number: int) -> str:
    """A valid ISSN from seven digits (check digit by weights 8 to 2, modulo 11)."""
    digits = f"{number:07d}"
    check = -sum(int(d) * w for d, w in zip(digits, range(8, 1, -1), strict=True)) % 11
    return f"{digits[:4]}-{digits[4:]}{'X' if check == 10 else check}"


def _random_amendment(rng: random.Random, step: int, end: date, extended: bool) -> dict[str, Any]:
    """One change on a random day of the term: a title or a product added, line 1's price
    changed (once), or the term extended by a year (once)."""
    span = (end - date(2027, 1, 2)).days
    effective = date(2027, 1, 2) + timedelta(days=rng.randrange(span))
    kinds = ["title", "product"] + ([] if step else ["price"]) + ([] if extended else ["extend"])
    kind = rng.choice(kinds)
    change: dict[str, Any] = {"effective_date": effective.isoformat()}
    if kind == "title":
        change["titles_added"] = [
            {
                "title": f"Random Journal {step}",
                "issn": _issn(rng.randrange(5_000_000, 9_999_999)),
                "price": f"{rng.randrange(100, 3000)}.{rng.randrange(100):02d}",
            }
        ]
    elif kind == "product":
        change["products_added"] = [
            {"description": f"Platform fee {step}", "unit_price": f"{rng.randrange(50, 900)}.50"}
        ]
    elif kind == "price":
        change["price_changes"] = [{"line": "line-1", "unit_price": "19250.00"}]
    else:
        change["new_end_date"] = "2030-12-31"
    return change


def test_invoices_less_credits_equal_the_contract_as_amended(
    app: APIFlask, webhook_receiver: WebhookReceiver
) -> None:
    """Over random amendment sequences, once every period has been swept, what the ERP has
    booked is what the contract as amended is worth, period by period."""
    _subscribe(app, webhook_receiver)
    runtime: Runtime = app.extensions["contractdesk"]
    client = app.test_client()
    support = bearer(app, "support@example.com")
    for seed in (5, 7, 11):  # a price change, amendments back in time, an extension
        rng = random.Random(seed)
        licence = _licence(app)
        end, extended = date(2029, 12, 31), False
        for step, sweep_on in enumerate((date(2028, 1, 1), date(2029, 1, 1))):
            change = _random_amendment(rng, step, end, extended)
            amendment = client.post(
                f"/api/v1/documents/{licence['id']}/amendments",
                json=change,
                headers={**support, **WAIT},
            )
            assert amendment.status_code == 201, (seed, change, amendment.json)
            send_and_sign(app, amendment.json["id"])
            if "new_end_date" in change:
                end, extended = date(2030, 12, 31), True
            _sweep(app, sweep_on)
        _sweep(app, date(2031, 1, 1))

        booked = [
            e["data"]
            for e in _events(app, webhook_receiver)
            if e["data"]["contract"]["id"] == licence["id"]
        ]
        uow = runtime.unit_of_work()
        with uow:
            current = as_amended(uow.session, uuid.UUID(licence["id"]))
            periods = schedule(current.contract, current.rate_of)
        for period in periods:
            mine = [e for e in booked if e["period"]["number"] == period.number]
            assert sum(D(e["net"]) for e in mine) == period.totals.net, (seed, period.number)
            assert sum(D(e["tax"]) for e in mine) == period.totals.tax, (seed, period.number)
        assert {e["period"]["number"] for e in booked} == {p.number for p in periods}
        for event in booked:
            _adds_up(event)
