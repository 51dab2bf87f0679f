"""An endpoint aimed inward is turned down when it is registered or moved: 422 with an RFC
9457 problem pointing at /url, no endpoint written, the attempt on the audit log."""

from __future__ import annotations

from typing import Any

import pytest
from apiflask import APIFlask
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.billing.models import WebhookEndpoint
from tests.conftest import bearer, row_counts
from tests.outbound.conftest import FakeDns

INWARD = [
    ("https://169.254.169.254/latest/meta-data/iam/", "cloud metadata"),
    ("https://[fd00:ec2::254]/latest/meta-data/", "cloud metadata"),
    ("https://10.0.0.1/hooks", "private address"),
    ("https://192.168.0.10/hooks", "private address"),
    ("https://[::1]/hooks", "loopback"),
    ("https://localhost/hooks", "loopback"),
    ("https://2130706433/hooks", "loopback"),
    ("https://0177.0.0.1/hooks", "loopback"),
    ("https://[::ffff:127.0.0.1]/hooks", "loopback"),
    ("https://erp.attacker.test/hooks", "loopback"),  # a name that resolves to 127.0.0.1
]


def _register(app: APIFlask, url: str) -> Any:
    return app.test_client().post(
        "/api/v1/webhook-endpoints",
        json={"url": url, "events": ["invoice.trigger"]},
        headers=bearer(app, "finance@example.com"),
    )


def _refusals(app: APIFlask) -> list[AuditEvent]:
    uow = app.extensions["contractdesk"].unit_of_work()
    with uow:
        return list(
            uow.session.scalars(
                select(AuditEvent).where(AuditEvent.tag == "webhook_endpoint.refused")
            )
        )


@pytest.mark.parametrize(("url", "why"), INWARD)
def test_an_endpoint_aimed_inward_is_refused_and_recorded(
    closed_app: APIFlask, fake_dns: FakeDns, url: str, why: str
) -> None:
    fake_dns.answers["erp.attacker.test"] = ["127.0.0.1"]
    key = bearer(closed_app, "finance@example.com")
    before = row_counts(closed_app.extensions["contractdesk"])
    answer = closed_app.test_client().post(
        "/api/v1/webhook-endpoints",
        json={"url": url, "events": ["invoice.trigger"]},
        headers=key,
    )
    assert answer.status_code == 422, answer.json
    assert answer.content_type == "application/problem+json"
    [error] = answer.json["errors"]
    assert error["pointer"] == "/url" and why in error["detail"]
    after = row_counts(closed_app.extensions["contractdesk"])
    assert after.pop("audit_event") == before.pop("audit_event") + 1
    assert after == before
    [refusal] = _refusals(closed_app)
    assert refusal.actor_label == "finance@example.com"
    assert why in refusal.data["reason"] and refusal.data["url"]


def test_the_test_default_allows_a_local_receiver_but_not_the_metadata_address(
    app: APIFlask,
) -> None:
    assert _register(app, "http://127.0.0.1:8080/erp").status_code == 201
    assert _register(app, "http://169.254.169.254/latest/").status_code == 422


def test_plain_http_to_a_public_host_is_refused_and_https_accepted(closed_app: APIFlask) -> None:
    refused = _register(closed_app, "http://erp.example.org/hooks")
    assert refused.status_code == 422
    assert refused.json["errors"][0]["pointer"] == "/url"
    assert "https" in refused.json["errors"][0]["detail"]
    assert _register(closed_app, "https://erp.example.org/hooks").status_code == 201


def test_moving_an_endpoint_inward_is_refused_and_changes_nothing(closed_app: APIFlask) -> None:
    created = _register(closed_app, "https://erp.example.org/hooks")
    endpoint_id = created.json["id"]
    answer = closed_app.test_client().patch(
        f"/api/v1/webhook-endpoints/{endpoint_id}",
        json={"url": "https://10.0.0.1/hooks", "enabled": False},
        headers=bearer(closed_app, "finance@example.com"),
    )
    assert answer.status_code == 422
    assert answer.json["errors"][0]["pointer"] == "/url"
    uow = closed_app.extensions["contractdesk"].unit_of_work()
    with uow:
        endpoint = uow.session.get(WebhookEndpoint, created.json["id"])
        assert endpoint is not None
        assert endpoint.url == "https://erp.example.org/hooks" and endpoint.enabled
    [refusal] = _refusals(closed_app)
    assert refusal.subject_id == endpoint_id and "10.0.0.1" in refusal.data["reason"]
