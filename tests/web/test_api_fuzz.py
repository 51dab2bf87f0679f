"""Hostile input (issue 10): schemathesis generates requests, valid and invalid, from the
served OpenAPI document and calls the app directly over WSGI. No answer is a 5xx, every
answer matches what the document says (status, content type, headers, body), and a
rejected request (4xx) changes no row and no stored object.

The seed is fixed so CI is reproducible; set CONTRACTDESK_FUZZ_SEED to explore others,
and CONTRACTDESK_FUZZ_EXAMPLES for more (or fewer) cases per operation and mode. The suite
runs 15 per operation and mode to stay within its time; `make fuzz` runs 200."""

from __future__ import annotations

import os
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import schemathesis
from apiflask import APIFlask
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import Connection, select

from app.library.models import Clause, ClauseVersion, Template, TemplateVersion
from app.models import Base
from app.runtime import Runtime
from tests.conftest import api_key, build_app, make_settings
from tests.support.flows import plain_quote_request

SEED = int(os.environ.get("CONTRACTDESK_FUZZ_SEED", "10"))
EXAMPLES_PER_OPERATION = int(os.environ.get("CONTRACTDESK_FUZZ_EXAMPLES", "15"))
MINIMUM_CASES = 5_000
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# A 4xx after a POST with an Idempotency-Key is kept for replays by design (README: "the
# same request again within 24 hours gets the first answer"), so that table may grow.
REPLAY_STORE = "idempotent_request"
ROW_COUNTS = " UNION ALL ".join(
    f"SELECT '{table.name}', count(*) FROM \"{table.name}\""
    for table in Base.metadata.sorted_tables
    if table.name != REPLAY_STORE
)
# One case in REAL_ID_ODDS takes a path parameter from records that exist, so the views
# get past their 404s; the rest are generated.
REAL_ID_ODDS = 8

# The file bodies the API takes (batches, title lists, template packages) go as they are.
schemathesis.serializer.alias(["text/csv", "application/jsonl"], "text/plain")
schemathesis.serializer.alias(
    ["application/zip", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"],
    "application/octet-stream",
)


def _refusal_on_record(response: Any, changed: list[str]) -> bool:
    """A decision a control refuses (403 naming its `rule`) changes nothing but is written
    to the audit log, by design (README, *Approvals*); so is a webhook URL the outbound
    guard refuses (422 at /url, README, *Outbound requests*)."""
    if response.status_code not in {403, 422} or changed != ["audit_event"]:
        return False
    body = response.json()
    if not isinstance(body, dict):
        return False
    if response.status_code == 422:
        return str(body.get("detail", "")).startswith("webhook URL refused")
    return bool(body.get("rule"))


def _snapshot(rows: Connection, runtime: Runtime) -> dict[str, Any]:
    """Rows per table, in one query, and every stored object with its size."""
    counts: dict[str, Any] = dict(rows.exec_driver_sql(ROW_COUNTS).all())
    root = runtime.settings.storage_dir
    counts["stored objects"] = sorted(
        (str(p.relative_to(root)), p.stat().st_size) for p in root.rglob("*") if p.is_file()
    )
    return counts


def _real_ids(app: APIFlask, headers: dict[str, str]) -> dict[str, list[str]]:
    """Existing records by path parameter name: a draft quote, the shipped clauses and
    templates, a webhook endpoint, and a spare API key to revoke (never the fuzzing key,
    which is therefore never revoked)."""
    client = app.test_client()
    quote = client.post("/api/v1/documents", json=plain_quote_request(app), headers=headers)
    endpoint = client.post(
        "/api/v1/webhook-endpoints",
        json={"url": "https://erp.example.org/hooks", "events": ["invoice.trigger"]},
        headers=headers,
    )
    spare = client.post(
        "/api/v1/api-keys", json={"user": "support@example.com", "name": "spare"}, headers=headers
    )
    assert {quote.status_code, endpoint.status_code, spare.status_code} == {201}
    runtime: Runtime = app.extensions["contractdesk"]
    uow = runtime.unit_of_work()
    with uow:
        clause_versions = uow.session.scalars(select(ClauseVersion.id).limit(3)).all()
        template_versions = uow.session.scalars(select(TemplateVersion.id).limit(2)).all()
        keys = [
            *uow.session.scalars(select(Clause.key).limit(2)),
            *uow.session.scalars(select(Template.key).limit(2)),
        ]
    return {
        "document_id": [quote.json["id"]],
        "licence_id": [quote.json["id"]],
        "version_id": [str(v) for v in (*clause_versions, *template_versions)],
        "key": keys,
        "endpoint_id": [endpoint.json["id"]],
        "key_id": [spare.json["id"]],
    }


@dataclass
class Findings:
    cases: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: dict[tuple[str, str], str] = field(default_factory=dict)
    timings: dict[str, tuple[int, float]] = field(default_factory=dict)

    def add(self, operation: str, kind: str, message: str) -> None:
        self.failures.setdefault((operation, kind), message)


def test_the_api_survives_generated_requests(
    postgres_url: str, tmp_path: Path, instance_dir: Path
) -> None:
    app: APIFlask = build_app(
        make_settings(postgres_url, tmp_path, instance_dir, rate_limit="1000000/minute")
    )
    runtime: Runtime = app.extensions["contractdesk"]
    headers = {"Authorization": f"Bearer {api_key(app, 'admin@example.com')}"}  # every scope
    real_ids = _real_ids(app, headers)
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    findings = Findings()
    rows = runtime.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    state = {"before": _snapshot(rows, runtime)}
    started = time.monotonic()

    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @seed(SEED)
            @settings(
                max_examples=EXAMPLES_PER_OPERATION,
                deadline=None,
                database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(
                case=operation.as_strategy(generation_mode=mode),
                odds=st.integers(1, REAL_ID_ODDS),
                pick=st.integers(0, 10),
            )
            def fuzz(case: schemathesis.Case, odds: int, pick: int) -> None:
                label = case.operation.label
                for name in case.path_parameters or {}:
                    if odds == 1 and real_ids.get(name):
                        case.path_parameters[name] = real_ids[name][pick % len(real_ids[name])]
                response = case.call(headers=headers)
                runtime.jobs.wait_idle()
                findings.cases += 1
                findings.statuses[response.status_code] += 1
                try:
                    case.validate_response(response, checks=CHECKS, headers=headers)
                except FailureGroup as group:
                    for failure in group.exceptions:
                        findings.add(label, f"{failure.title} ({response.status_code})", str(group))
                after = _snapshot(rows, runtime)
                changed = sorted(k for k in after if after[k] != state["before"].get(k))
                if _refusal_on_record(response, changed):
                    changed = []
                if 400 <= response.status_code < 500 and changed:
                    findings.add(
                        label,
                        f"{response.status_code} changed {changed}",
                        case.as_curl_command(headers=headers),
                    )
                state["before"] = after

            begun, cases = time.monotonic(), findings.cases
            try:
                fuzz()
            except Unsatisfiable:
                # Nothing in the operation can be made invalid (no parameters, no body).
                assert mode is GenerationMode.NEGATIVE, operation.label
            findings.timings[f"{operation.label} {mode}"] = (
                findings.cases - cases,
                time.monotonic() - begun,
            )

    elapsed = time.monotonic() - started
    rows.close()
    runtime.close()
    print(
        f"\n{findings.cases} cases in {elapsed:.1f} s ({findings.cases / elapsed:.0f}/s), "
        f"seed {SEED}; statuses {dict(sorted(findings.statuses.items()))}; slowest:"
    )
    for name, (cases, seconds) in sorted(findings.timings.items(), key=lambda t: -t[1][1])[:5]:
        print(f"{seconds:6.1f} s {cases:4d} cases  {name}")
    report = "\n\n".join(f"{op} — {kind}\n{text}" for (op, kind), text in findings.failures.items())
    assert not findings.failures, report
    assert findings.cases >= MINIMUM_CASES
