"""Rate limits per API key, counted in Redis so that every worker of a deployment shares
them: over the limit, 429 with Retry-After; another key is not affected."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from apiflask import APIFlask

from tests.conftest import bearer, build_app, make_settings


@pytest.fixture
def two_workers(
    postgres_url: str, redis_url: str, tmp_path: Path, instance_dir: Path
) -> Iterator[tuple[APIFlask, APIFlask]]:
    settings = make_settings(
        postgres_url,
        tmp_path,
        instance_dir,
        rate_limit="5/minute",
        rate_limit_storage=redis_url,
    )
    first, second = build_app(settings), build_app(settings)
    yield first, second
    for app in (first, second):
        app.extensions["contractdesk"].close()


def test_a_key_over_its_limit_waits_whichever_worker_it_reaches(
    two_workers: tuple[APIFlask, APIFlask],
) -> None:
    first, second = two_workers
    crm = bearer(first, "support@example.com")
    other = bearer(first, "manager@example.com")
    answers = [
        app.test_client().get("/api/v1/products", headers=crm)
        for app in (first, second, first, second, first)
    ]
    assert [a.status_code for a in answers] == [200] * 5
    assert answers[-1].headers["X-RateLimit-Remaining"] == "0"

    refused = second.test_client().get("/api/v1/products", headers=crm)
    assert refused.status_code == 429
    assert refused.mimetype == "application/problem+json"
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert refused.json["status"] == 429

    assert first.test_client().get("/api/v1/products", headers=other).status_code == 200
