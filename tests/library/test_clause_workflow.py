"""Legal's clause library over the API: draft, review by a second lawyer, approval,
redline, where-used, and what documents then use."""

from __future__ import annotations

import io
from typing import Any

from apiflask import APIFlask
from pypdf import PdfReader
from sqlalchemy import select

from app.audit.models import AuditEvent
from tests.conftest import WAIT, bearer, row_counts
from tests.support.flows import create_and_send, plain_quote_request, sign_as
from tests.support.pdf_text import without_version_marks

NEW_TERMS = (
    "Invoices are payable within 45 days of the invoice date, by bank transfer to the "
    "account stated on the invoice."
)


def _approved_version(client: Any, headers: dict[str, str], key: str, **variant: str) -> Any:
    clause = client.get(f"/api/v1/clauses/{key}", headers=headers).json
    wanted = {"language": "en", "jurisdiction": "", "position": "preferred", **variant}
    return next(
        v
        for v in clause["versions"]
        if v["status"] == "approved" and all(v[k] == wanted[k] for k in wanted)
    )


def _draft(client: Any, headers: dict[str, str], **fields: str) -> Any:
    body = {"key": "payment-terms", "language": "en", "title": "Invoicing and payment"}
    return client.post("/api/v1/clause-drafts", json={**body, **fields}, headers=headers)


def _pdf_text(client: Any, headers: dict[str, str], document_id: str, version: int) -> str:
    answer = client.get(
        f"/api/v1/documents/{document_id}/files/pdf?version={version}", headers=headers
    )
    assert answer.status_code == 200, answer.text
    pages = PdfReader(io.BytesIO(answer.data)).pages
    return without_version_marks("\n".join(page.extract_text() for page in pages))


def test_a_clause_change_is_drafted_reviewed_by_another_lawyer_and_approved(
    app: APIFlask,
) -> None:
    client = app.test_client()
    lee, robin = bearer(app, "legal@example.com"), bearer(app, "legal2@example.com")
    before = _approved_version(client, lee, "payment-terms")

    draft = _draft(client, lee, body=NEW_TERMS)
    assert draft.status_code == 201, draft.json
    assert draft.json["status"] == "draft" and draft.json["version"] == before["version"] + 1
    assert draft.json["author"] == "legal@example.com"
    version_id = draft.json["id"]

    submitted = client.post(f"/api/v1/clause-versions/{version_id}/submit", headers=lee)
    assert submitted.json["status"] == "in_review"
    # Frozen from review on: the text cannot change under the reviewer.
    edit = client.put(
        f"/api/v1/clause-versions/{version_id}",
        json={"title": "Payment", "body": "Pay whenever."},
        headers=lee,
    )
    assert edit.status_code == 409

    own = client.post(f"/api/v1/clause-versions/{version_id}/approve", json={}, headers=lee)
    assert own.status_code == 403
    assert "author" in own.json["detail"]

    approved = client.post(
        f"/api/v1/clause-versions/{version_id}/approve",
        json={"comment": "45 days agreed with finance"},
        headers=robin,
    )
    assert approved.status_code == 200, approved.json
    assert approved.json["status"] == "approved"
    assert approved.json["approved_by"] == "legal2@example.com"
    old = client.get(f"/api/v1/clause-versions/{before['id']}", headers=lee).json
    assert old["status"] == "retired"

    # An approved text never changes again.
    assert (
        client.put(
            f"/api/v1/clause-versions/{version_id}",
            json={"title": "x", "body": "y"},
            headers=lee,
        ).status_code
        == 409
    )

    uow = app.extensions["contractdesk"].unit_of_work()
    with uow:
        tags = uow.session.scalars(
            select(AuditEvent.tag)
            .where(AuditEvent.subject_id == version_id)
            .order_by(AuditEvent.seq)
        ).all()
    assert tags == ["clause.drafted", "clause.submitted", "library.refused", "clause.approved"]


def test_only_legal_drafts_and_a_reviewer_can_send_a_draft_back(app: APIFlask) -> None:
    client = app.test_client()
    lee, robin = bearer(app, "legal@example.com"), bearer(app, "legal2@example.com")
    support = bearer(app, "support@example.com")
    counts = row_counts(app.extensions["contractdesk"])
    refused = _draft(client, support, body=NEW_TERMS)
    assert refused.status_code == 403
    assert row_counts(app.extensions["contractdesk"]) == counts

    version_id = _draft(client, lee, body=NEW_TERMS).json["id"]
    client.post(f"/api/v1/clause-versions/{version_id}/submit", headers=lee)
    no_comment = client.post(
        f"/api/v1/clause-versions/{version_id}/send-back", json={}, headers=robin
    )
    assert no_comment.status_code == 422
    back = client.post(
        f"/api/v1/clause-versions/{version_id}/send-back",
        json={"comment": "Finance wants 30 days for consortia"},
        headers=robin,
    )
    assert back.json["status"] == "draft"
    assert back.json["review_comment"] == "Finance wants 30 days for consortia"
    edited = client.put(
        f"/api/v1/clause-versions/{version_id}",
        json={"title": "Invoicing and payment", "body": NEW_TERMS.replace("45", "40")},
        headers=lee,
    )
    assert edited.status_code == 200 and "40 days" in edited.json["body"]


def test_a_draft_with_broken_template_syntax_is_refused_with_its_line(app: APIFlask) -> None:
    client = app.test_client()
    lee = bearer(app, "legal@example.com")
    counts = row_counts(app.extensions["contractdesk"])
    answer = _draft(client, lee, body="First line.\n\nPayable by {{ seller.name ")
    assert answer.status_code == 422
    assert answer.json["errors"][0]["pointer"] == "/body"
    assert answer.json["errors"][0]["detail"].startswith("line 3:")
    assert row_counts(app.extensions["contractdesk"]) == counts


def test_legal_reads_a_word_level_redline_before_approving(app: APIFlask) -> None:
    client = app.test_client()
    lee = bearer(app, "legal@example.com")
    before = _approved_version(client, lee, "payment-terms")
    changed = before["body"].replace("within 30 days", "within 45 days")
    version_id = _draft(client, lee, body=changed).json["id"]

    redline = client.get(f"/api/v1/clause-versions/{version_id}/redline", headers=lee).json
    assert redline["base_version_id"] == before["id"]
    assert (redline["insertions"], redline["deletions"]) == (1, 1)
    assert "<del>30</del><ins>45</ins>" in redline["html"]
    assert [c["text"] for c in redline["changes"] if c["op"] != "equal"] == ["30", "45"]


def test_a_stored_document_renders_again_with_the_clause_text_it_was_made_with(
    app: APIFlask,
) -> None:
    client = app.test_client()
    support, lee = bearer(app, "support@example.com"), bearer(app, "legal@example.com")
    robin = bearer(app, "legal2@example.com")
    doc = client.post(
        "/api/v1/documents", json=plain_quote_request(app), headers={**support, **WAIT}
    ).json
    original = _approved_version(client, lee, "payment-terms")

    new = _draft(client, lee, body=NEW_TERMS).json["id"]
    client.post(f"/api/v1/clause-versions/{new}/submit", headers=lee)
    client.post(f"/api/v1/clause-versions/{new}/approve", json={}, headers=robin)

    regenerated = client.post(
        f"/api/v1/documents/{doc['id']}/regenerate", headers={**support, **WAIT}
    )
    assert regenerated.status_code == 201, regenerated.json
    first, second = (_pdf_text(client, support, doc["id"], v) for v in (1, 2))
    assert "within 30 days" in first
    assert first == second

    later = client.post(
        "/api/v1/documents", json=plain_quote_request(app), headers={**support, **WAIT}
    ).json
    assert "within 45 days" in _pdf_text(client, support, later["id"], 1)

    used = client.get(f"/api/v1/clause-versions/{original['id']}/where-used", headers=lee).json
    assert [d["number"] for d in used["documents"]] == [doc["number"]]
    used_new = client.get(f"/api/v1/clause-versions/{new}/where-used", headers=lee).json
    assert [(d["number"], d["signed"]) for d in used_new["documents"]] == [(later["number"], False)]


def test_a_playbook_fallback_makes_the_document_non_standard_and_needs_legal(
    app: APIFlask,
) -> None:
    client = app.test_client()
    lee, robin = bearer(app, "legal@example.com"), bearer(app, "legal2@example.com")
    fallback = _draft(
        client, lee, position="fallback-1", body="Invoices are payable within 60 days."
    ).json["id"]
    client.post(f"/api/v1/clause-versions/{fallback}/submit", headers=lee)
    client.post(f"/api/v1/clause-versions/{fallback}/approve", json={}, headers=robin)

    body = plain_quote_request(app)
    body["data"]["clause_positions"] = {"payment-terms": "fallback-1"}
    support = bearer(app, "support@example.com")
    doc = client.post("/api/v1/documents", json=body, headers={**support, **WAIT})
    assert doc.status_code == 201, doc.json
    assert doc.json["status"] == "pending_approval" and doc.json["non_standard"] is True
    pinned = {c["key"]: c for c in doc.json["clauses"]}
    assert (pinned["payment-terms"]["position"], pinned["payment-terms"]["sha256"]) == (
        "fallback-1",
        client.get(f"/api/v1/clause-versions/{fallback}", headers=lee).json["sha256"],
    )
    assert [(r["rule"], r["role"]) for r in doc.json["approvals_required"]] == [
        ("non-standard-terms", "legal")
    ]
    assert "60 days" in _pdf_text(client, support, doc.json["id"], 1)

    manager = client.post(
        f"/api/v1/documents/{doc.json['id']}/approvals",
        json={"decision": "approve"},
        headers=bearer(app, "manager@example.com"),
    )
    assert manager.status_code == 403
    legal = client.post(
        f"/api/v1/documents/{doc.json['id']}/approvals",
        json={"decision": "approve", "comment": "60 days accepted for this consortium"},
        headers=lee,
    )
    assert legal.status_code == 201, legal.json
    assert legal.json["status"] == "approved"

    unknown = plain_quote_request(app)
    unknown["data"]["clause_positions"] = {"payment-terms": "fallback-2"}
    refused = client.post("/api/v1/documents", json=unknown, headers={**support, **WAIT})
    assert refused.status_code == 422
    assert refused.json["errors"][0]["pointer"] == "/data/clause_positions/payment-terms"
    assert "fallback-2" in refused.json["errors"][0]["detail"]


def test_a_document_takes_the_variant_for_its_language_and_jurisdiction(app: APIFlask) -> None:
    client = app.test_client()
    support = bearer(app, "support@example.com")

    def create(language: str, jurisdiction: str | None) -> Any:
        body = plain_quote_request(app)
        body["data"]["language"] = language
        if jurisdiction:
            body["data"]["jurisdiction"] = jurisdiction
        return client.post("/api/v1/documents", json=body, headers={**support, **WAIT})

    dutch = create("nl", "netherlands")
    assert dutch.status_code == 201, dutch.json
    text = _pdf_text(client, support, dutch.json["id"], 1)
    assert "Offerte" in text and "Nederlands recht" in text and "Geldig tot" in text

    english_for_china = create("en", "prc")
    assert "CIETAC" in _pdf_text(client, support, english_for_china.json["id"], 1)

    default = create("en", None)
    assert "law of England and Wales" in _pdf_text(client, support, default.json["id"], 1)

    counts = row_counts(app.extensions["contractdesk"])
    none_fits = create("nl", "prc")
    assert none_fits.status_code == 422
    assert none_fits.json["errors"] == [
        {
            "pointer": "/data/jurisdiction",
            "detail": "clause 'governing-law' has no approved text in 'nl' for jurisdiction 'prc'",
        }
    ]
    not_offered = create("zh", "prc")
    assert not_offered.status_code == 422
    assert not_offered.json["errors"][0]["pointer"] == "/data/language"
    assert row_counts(app.extensions["contractdesk"]) == counts


def test_where_used_names_the_signed_contracts_that_hold_a_clause_version(
    app: APIFlask,
) -> None:
    client = app.test_client()
    lee = bearer(app, "legal@example.com")
    document_id, link = create_and_send(app)
    assert sign_as(client, link, "Helen Marsh").status_code == 200
    version = _approved_version(client, lee, "governing-law", jurisdiction="england-wales")
    used = client.get(f"/api/v1/clause-versions/{version['id']}/where-used", headers=lee).json
    assert [(d["document_id"], d["status"], d["signed"]) for d in used["documents"]] == [
        (document_id, "signed", True)
    ]
