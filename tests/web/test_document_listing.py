"""A CRM listing documents: by its own account ids, by the deal, by status, page by page,
with pages that hold steady while new documents arrive."""

from __future__ import annotations

from typing import Any

from apiflask import APIFlask

from tests.conftest import WAIT, account_id, bearer
from tests.support.flows import plain_quote_request


def _quote(app: APIFlask, account: str, ref: str) -> dict[str, Any]:
    body = plain_quote_request(app)
    body["data"]["account"] = account_id(app.extensions["contractdesk"], account)
    body["external_ref"] = ref
    answer = app.test_client().post(
        "/api/v1/documents", json=body, headers={**bearer(app, "support@example.com"), **WAIT}
    )
    assert answer.status_code == 201
    return dict(answer.json)


def test_a_crm_lists_its_accounts_documents_page_by_page(app: APIFlask) -> None:
    client = app.test_client()
    reader = bearer(app, "support@example.com")
    made = [_quote(app, "University", f"OPP-{n}") for n in range(5)]
    _quote(app, "Consortium", "OPP-77")
    assert made[0]["account"] == {
        "id": account_id(app.extensions["contractdesk"], "University"),
        "name": "University of Northfield Library",
        "crm_id": "CRM-00481",
        "erp_id": "ERP-10021",
    }

    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        url = "/api/v1/documents?account_crm_id=CRM-00481&limit=2"
        page = client.get(url + (f"&cursor={cursor}" if cursor else ""), headers=reader).json
        seen += [d["number"] for d in page["documents"]]
        pages += 1
        if pages == 1:
            _quote(app, "University", "OPP-late")  # arrives while the CRM pages through
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == [d["number"] for d in reversed(made)]  # newest first, none twice

    by_deal = client.get("/api/v1/documents?external_ref=OPP-77", headers=reader).json
    assert [d["customer_name"] for d in by_deal["documents"]] == [
        "Consortium of Dutch Research Libraries (CDRL)"
    ]
    by_erp = client.get("/api/v1/documents?account_erp_id=ERP-20488", headers=reader).json
    assert [d["external_ref"] for d in by_erp["documents"]] == ["OPP-77"]
    drafts = client.get("/api/v1/documents?status=draft&kind=quote&limit=200", headers=reader)
    assert len(drafts.json["documents"]) == 7
    since = made[3]["created_at"]
    recent = client.get(f"/api/v1/documents?created_from={since}", headers=reader).json
    assert {d["external_ref"] for d in recent["documents"]} == {
        "OPP-3",
        "OPP-4",
        "OPP-77",
        "OPP-late",
    }


def test_a_cursor_not_from_the_service_is_refused(app: APIFlask) -> None:
    answer = app.test_client().get(
        "/api/v1/documents?cursor=bm90LWEtY3Vyc29y", headers=bearer(app, "support@example.com")
    )
    assert answer.status_code == 422
    assert answer.json["errors"][0]["pointer"] == "/cursor"
