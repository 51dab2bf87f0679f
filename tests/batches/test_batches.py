"""Bulk generation as a CRM sends it: hundreds of renewal quotes in one file, answered at
once, made in the background, a result per row; one bad row stops nothing."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any

from apiflask import APIFlask
from sqlalchemy import func, select

from app.batches import services as batches
from app.batches.models import BatchRow
from app.db import utcnow
from app.documents.models import Document
from tests.conftest import account_id, bearer, row_counts


def _request(app: APIFlask, n: int, sku: str = "JNL-PHYS") -> dict[str, Any]:
    return {
        "template": "quote",
        "external_ref": f"RENEW-{n:03d}",
        "data": {
            "account": account_id(app.extensions["contractdesk"], "University"),
            "currency": "GBP",
            "lines": [{"sku": sku, "quantity": 1}],
        },
    }


def _finished(app: APIFlask, url: str, headers: dict[str, str]) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        answer = app.test_client().get(url, headers=headers).json
        if answer["finished"]:
            return dict(answer)
        time.sleep(0.2)
    raise AssertionError("the batch did not finish")


def _documents(app: APIFlask) -> int:
    uow = app.extensions["contractdesk"].unit_of_work()
    with uow:
        return int(uow.session.scalar(select(func.count()).select_from(Document)) or 0)


def test_a_jsonl_batch_makes_every_good_row_and_explains_the_bad_ones(app: APIFlask) -> None:
    client = app.test_client()
    crm = bearer(app, "support@example.com")
    lines = [json.dumps(_request(app, n)) for n in range(1, 19)]
    lines.insert(4, json.dumps(_request(app, 99, sku="NO-SUCH")))
    lines.insert(9, '{"template": "quote", "data": ')
    body = "\n".join(lines).encode()

    submitted = client.post(
        "/api/v1/batches?filename=renewals.jsonl",
        data=body,
        headers={**crm, "Content-Type": "application/jsonl"},
    )
    assert submitted.status_code == 202, submitted.json
    assert submitted.json["total"] == 20
    result = _finished(app, submitted.headers["Location"], crm)

    assert (result["done"], result["failed"]) == (18, 2)
    rows = {r["row"]: r for r in result["rows"]}
    assert rows[5]["state"] == "failed"
    assert rows[5]["errors"] == [
        {"pointer": "/data/lines/0/sku", "detail": "unknown sku 'NO-SUCH'"}
    ]
    assert rows[10]["problem"].startswith("not JSON")
    made = [r for r in result["rows"] if r["state"] == "done"]
    assert all(r["document_url"] for r in made)
    assert _documents(app) == 18
    first = client.get(made[0]["document_url"], headers=crm).json
    assert first["external_ref"] == "RENEW-001"


def test_a_csv_batch_names_nested_fields_with_dots(app: APIFlask) -> None:
    client = app.test_client()
    crm = bearer(app, "support@example.com")
    account = account_id(app.extensions["contractdesk"], "Consortium")
    csv_body = (
        "template,external_ref,data.account,data.currency,data.lines.0.sku,"
        "data.lines.0.quantity,data.lines.1.description,data.lines.1.unit_price,"
        "data.lines.1.quantity\r\n"
        f"quote,OPP-1,{account},EUR,JNL-PHYS,1,Training day,950.00,2\r\n"
        f"quote,OPP-2,{account},EUR,JNL-CHEM,3,,,\r\n"
    )
    submitted = client.post(
        "/api/v1/batches?filename=quotes.csv",
        data=csv_body.encode(),
        headers={**crm, "Content-Type": "text/csv"},
    )
    assert submitted.status_code == 202, submitted.json
    result = _finished(app, submitted.headers["Location"], crm)
    assert result["done"] == 2, result["rows"]
    first = client.get(result["rows"][0]["document_url"], headers=crm).json
    assert first["totals"]["subtotal"] == "20400.00"  # 18,500 + 2 x 950


def test_a_file_that_cannot_be_read_is_refused_whole(app: APIFlask) -> None:
    client = app.test_client()
    crm = bearer(app, "support@example.com")
    runtime = app.extensions["contractdesk"]
    before = row_counts(runtime)
    for body, kind in (
        (b"\xff\xfe not utf-8", "application/jsonl"),
        (b"external_ref,data.account\r\nOPP,1\r\n", "text/csv"),
        (b"", "application/jsonl"),
        (b"{}", "application/pdf"),
    ):
        answer = client.post("/api/v1/batches", data=body, headers={**crm, "Content-Type": kind})
        assert answer.status_code == 422, (kind, answer.json)
    assert row_counts(runtime) == before
    refused = client.post(
        "/api/v1/batches",
        data=json.dumps(_request(app, 1)).encode(),
        headers={**bearer(app, "finance@example.com"), "Content-Type": "application/jsonl"},
    )
    assert refused.status_code == 403


def test_a_row_a_dead_worker_left_running_is_made_once_by_the_resume(app: APIFlask) -> None:
    client = app.test_client()
    crm = bearer(app, "support@example.com")
    submitted = client.post(
        "/api/v1/batches",
        data=json.dumps(_request(app, 1)).encode(),
        headers={**crm, "Content-Type": "application/jsonl"},
    )
    _finished(app, submitted.headers["Location"], crm)
    runtime = app.extensions["contractdesk"]
    uow = runtime.unit_of_work()
    with uow:
        row = uow.session.scalar(select(BatchRow))
        assert row is not None
        orphan = BatchRow(
            batch_id=row.batch_id,
            row=2,
            request=_request(app, 2),
            state="running",
            started_at=utcnow() - timedelta(minutes=11),
            created_at=utcnow() - timedelta(minutes=11),
            problem="",
            errors=[],
        )
        uow.session.add(orphan)
        uow.commit()
    assert batches.resume(runtime.unit_of_work()) == 1
    runtime.jobs.wait_idle()
    assert batches.resume(runtime.unit_of_work()) == 0
    result = client.get(submitted.headers["Location"], headers=crm).json
    assert [r["state"] for r in result["rows"]] == ["done", "done"]
    assert _documents(app) == 2
