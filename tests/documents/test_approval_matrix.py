"""Approvals by the matrix, through the API: steps in order, one person one tier."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from apiflask import APIFlask

from app import create_app
from app.config import PROJECT_ROOT, Settings
from tests.conftest import WAIT, account_id, bearer, build_app, make_settings
from tests.support.flows import plain_quote_request

TWO_MANAGER_TIERS = """
base_currency: GBP
tiers:
  - {name: first-look, role: manager, step: 1, when: {discount_percent_above: 5}}
  - {name: second-look, role: manager, step: 2, when: {discount_percent_above: 5}}
  - {name: large-deal, role: director, step: 3, when: {total_above: 1000}}
"""


@pytest.fixture
def strict_app(postgres_url: str, tmp_path: Path, instance_dir: Path) -> Iterator[APIFlask]:
    matrix = tmp_path / "matrix.yaml"
    matrix.write_text(TWO_MANAGER_TIERS)
    app = build_app(
        make_settings(postgres_url, tmp_path, instance_dir, approval_matrix_file=matrix)
    )
    yield app
    app.extensions["contractdesk"].close()


def _decide(app: APIFlask, document_id: str, who: str, decision: str = "approve") -> Any:
    return app.test_client().post(
        f"/api/v1/documents/{document_id}/approvals",
        json={"decision": decision, "comment": who},
        headers=bearer(app, who),
    )


def test_steps_run_in_order_and_one_person_approves_one_tier(strict_app: APIFlask) -> None:
    body = plain_quote_request(strict_app)
    body["data"]["discount_percent"] = "8"
    created = (
        strict_app.test_client()
        .post(
            "/api/v1/documents",
            json=body,
            headers={**bearer(strict_app, "support@example.com"), **WAIT},
        )
        .json
    )
    assert [(r["rule"], r["step"]) for r in created["approvals_required"]] == [
        ("first-look", 1),
        ("second-look", 2),
        ("large-deal", 3),
    ]
    early = _decide(strict_app, created["id"], "director@example.com")
    assert early.status_code == 409 and "comes after step 1" in early.json["detail"]

    assert _decide(strict_app, created["id"], "manager@example.com").status_code == 201
    twice = _decide(strict_app, created["id"], "manager@example.com")
    assert twice.status_code == 403 and "already approved first-look" in twice.json["detail"]
    second = _decide(strict_app, created["id"], "manager2@example.com")
    assert second.status_code == 201 and second.json["status"] == "pending_approval"
    last = _decide(strict_app, created["id"], "director@example.com")
    assert last.status_code == 201 and last.json["status"] == "approved"


def test_a_service_with_a_broken_matrix_does_not_start(tmp_path: Path) -> None:
    matrix = tmp_path / "matrix.yaml"
    matrix.write_text("base_currency: EUR\ntiers: []\n")
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'd.db'}",
        storage_dir=tmp_path / "s",
        instance_dir=tmp_path / "i",
        approval_matrix_file=matrix,
    )
    with pytest.raises(ValueError, match=r"matrix\.yaml"):
        create_app(settings)


def test_the_shipped_matrix_sends_a_large_long_licence_to_director_and_finance(
    app: APIFlask,
) -> None:
    data = json.loads(
        (PROJECT_ROOT / "contract_templates/licence-agreement/sample.json").read_text()
    )
    data["account"] = account_id(app.extensions["contractdesk"], "Consortium")
    data["term"] = {"start": "2027-01-01", "years": 5}
    created = (
        app.test_client()
        .post(
            "/api/v1/documents",
            json={"template": "licence-agreement", "data": data},
            headers={**bearer(app, "support@example.com"), **WAIT},
        )
        .json
    )
    assert [(r["rule"], r["role"]) for r in created["approvals_required"]] == [
        ("large-deal", "director"),
        ("long-term", "finance"),
    ]
