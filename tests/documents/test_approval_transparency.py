"""The matrix readable by the people it binds (API, page, CLI), and deal splitting
flagged on the approval queue."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from apiflask import APIFlask

from app.config import PROJECT_ROOT
from tests.conftest import PASSWORD, WAIT, account_id, bearer, build_app, csrf_token, make_settings
from tests.support.cli import invoke


def _quote(app: APIFlask, quantity: int, discount: str = "12") -> Any:
    data = {
        "account": account_id(app.extensions["contractdesk"], "University"),
        "currency": "EUR",
        "lines": [{"sku": "JNL-PHYS", "quantity": quantity, "discount_percent": discount}],
    }
    answer = app.test_client().post(
        "/api/v1/documents",
        json={"template": "quote", "data": data},
        headers={**bearer(app, "support@example.com"), **WAIT},
    )
    assert answer.status_code == 201, answer.json
    return answer.json


def test_the_matrix_lists_every_rule_and_control(app: APIFlask) -> None:
    matrix = (
        app.test_client()
        .get("/api/v1/approval-matrix", headers=bearer(app, "support@example.com"))
        .json
    )
    assert [(t["name"], t["role"], t["step"]) for t in matrix["tiers"]] == [
        ("discount", "manager", 1),
        ("non-standard-terms", "legal", 1),
        ("large-deal", "director", 2),
        ("long-term", "finance", 2),
    ]
    assert matrix["tiers"][2]["when"] == {"value_above": "100000"}
    assert matrix["ranks"] == ["manager", "director"]
    assert {c["rule"] for c in matrix["controls"]} >= {
        "segregation-of-duties",
        "approval-authority",
    }


def test_a_document_says_which_rule_fired_on_which_figure(app: APIFlask) -> None:
    created = _quote(app, 1, discount="15")
    explained = (
        app.test_client()
        .get(
            f"/api/v1/documents/{created['id']}/approval-explanation",
            headers=bearer(app, "support@example.com"),
        )
        .json
    )
    tiers = {t["rule"]: t for t in explained["tiers"]}
    assert tiers["discount"]["fires"] is True
    [condition] = tiers["discount"]["conditions"]
    assert condition["figures"]["discount_percent"] == "15.00"
    assert condition["figures"]["threshold"] == "10"
    assert tiers["large-deal"]["fires"] is False
    assert tiers["large-deal"]["conditions"][0]["figures"]["base_value"] == "15725.00"
    assert explained["outstanding"] == ["discount"]
    assert explained["barred"] == [{"email": "support@example.com", "why": "is its creator"}]


def test_the_cli_explains_a_document_by_its_number(app: APIFlask) -> None:
    created = _quote(app, 1, discount="15")
    settings = app.extensions["contractdesk"].settings
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "CONTRACTDESK_STORAGE_DIR": str(settings.storage_dir),
        "CONTRACTDESK_INSTANCE_DIR": str(settings.instance_dir),
        "CONTRACTDESK_SECRET_KEY": "a-long-enough-test-secret-key-for-the-cli",
    }
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "approvals", "explain", created["number"]],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "discount (manager, step 1): FIRES" in result.stdout
    assert "effective discount 15.00 % above 10 %" in result.stdout
    assert "large-deal (director, step 2): does not fire" in result.stdout
    missing = invoke(env, "approvals", "explain", "Q-1900-000001")  # in-process: no start-up
    assert missing.returncode != 0 and "no document Q-1900-000001" in missing.stderr


def test_the_matrix_page_lists_the_rules(app: APIFlask) -> None:
    client = app.test_client()
    page = client.get("/login")
    client.post(
        "/login",
        data={
            "email": "support@example.com",
            "password": PASSWORD,
            "csrf_token": csrf_token(page.text),
        },
    )
    html = client.get("/approvals/matrix").text
    for name in ("Discount", "Non-standard terms", "Large deal", "Long term"):
        assert name in html
    assert "segregation-of-duties" in html


def test_two_quotes_just_under_the_threshold_are_flagged_not_blocked(app: APIFlask) -> None:
    first = _quote(app, 6)  # 6 x 18,500 less 12 % = 97,680 net: no director alone
    second = _quote(app, 6)
    assert [r["rule"] for r in second["approvals_required"]] == ["discount"]
    queue = (
        app.test_client()
        .get("/api/v1/approval-queue", headers=bearer(app, "manager@example.com"))
        .json
    )
    flagged = {item["number"]: item["split"] for item in queue["items"]}
    assert flagged[second["number"]]["numbers"] == [first["number"], second["number"]]
    assert flagged[second["number"]]["would_need"] == ["large-deal"]
    assert flagged[second["number"]]["combined_value"] == "195360.00"
    # a flag, not a block: the manager may still approve
    decided = app.test_client().post(
        f"/api/v1/documents/{second['id']}/approvals",
        json={"decision": "approve"},
        headers=bearer(app, "manager@example.com"),
    )
    assert decided.status_code == 201
    report = _report_csv(app)
    assert any(
        row.startswith("exception,") and "possible deal split" in row for row in report.splitlines()
    )


def _report_csv(app: APIFlask) -> str:
    client = app.test_client()
    page = client.get("/login")
    client.post(
        "/login",
        data={
            "email": "director@example.com",
            "password": PASSWORD,
            "csrf_token": csrf_token(page.text),
        },
    )
    today = date.today()
    answer = client.get(f"/reports/approvals.csv?from={today - timedelta(days=1)}&to={today}")
    return str(answer.data.decode("utf-8-sig"))


def test_the_splitting_window_is_the_matrix_s(
    postgres_url: str, tmp_path: Path, instance_dir: Path
) -> None:
    matrix = tmp_path / "matrix.yaml"
    shipped = (PROJECT_ROOT / "config" / "approval-matrix.yaml").read_text()
    matrix.write_text(shipped.replace("split_window_days: 30", "split_window_days: 0"))
    app = build_app(
        make_settings(postgres_url, tmp_path, instance_dir, approval_matrix_file=matrix)
    )
    try:
        _quote(app, 6)
        second = _quote(app, 6)
        queue = (
            app.test_client()
            .get("/api/v1/approval-queue", headers=bearer(app, "manager@example.com"))
            .json
        )
        assert {i["number"]: i["split"] for i in queue["items"]}[second["number"]] is None
    finally:
        app.extensions["contractdesk"].close()
