"""Hostile input (issues 10 and 21): schemathesis generates requests, valid and invalid,
from the served OpenAPI document and calls the app directly over WSGI. No answer is a
5xx, every answer matches what the document says (status, content type, headers, body),
and a rejected request (4xx) changes no row and no stored object.

The suite fuzzes as admin (every scope). `make fuzz` (CONTRACTDESK_FUZZ_ROLES=all) fuzzes
as each role in turn (support, legal, finance, director, admin) and with a key of the
manager's that holds only `documents:read` and `documents:write`, and wants 20,000 cases
in all. Records a call creates (a document, a clause draft, an endpoint, a key) join the
ids later calls take, so a generated create is followed by gets, revisions, approvals and
sends of what it made.

The seed is fixed so CI is reproducible; set CONTRACTDESK_FUZZ_SEED to explore others,
and CONTRACTDESK_FUZZ_EXAMPLES for more (or fewer) cases per operation and mode. The suite
runs 8 per operation and mode to stay within its time; `make fuzz` runs 30 per role."""

from __future__ import annotations

import os
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
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

from app.assembly.text import LINE_PATTERN, TEXT_PATTERN
from app.library.models import Clause, ClauseVersion, Template, TemplateVersion
from app.models import Base
from app.runtime import Runtime
from app.users import services as users
from tests.conftest import api_key, build_app, make_settings
from tests.support.flows import plain_quote_request

SEED = int(os.environ.get("CONTRACTDESK_FUZZ_SEED", "10"))
EXAMPLES_PER_OPERATION = int(os.environ.get("CONTRACTDESK_FUZZ_EXAMPLES", "8"))
# About 130 cases per example asked of each operation and mode, fewer where hypothesis
# runs out of distinct ones.
MINIMUM_CASES = 100 * EXAMPLES_PER_OPERATION
ALL_ROLES = os.environ.get("CONTRACTDESK_FUZZ_ROLES", "") == "all"
MINIMUM_TOTAL = 20_000
# Who calls: a role's user with every scope the role allows, or a key with fewer scopes.
CALLERS: dict[str, tuple[str, list[str] | None]] = {
    "admin": ("admin@example.com", None),
    "support": ("support@example.com", None),
    "legal": ("legal@example.com", None),
    "finance": ("finance@example.com", None),
    "director": ("director@example.com", None),
    "manager key (read, write)": ("manager@example.com", ["documents:read", "documents:write"]),
}
ROLES = list(CALLERS) if ALL_ROLES else ["admin"]
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


# Generating a long string under a pattern costs seconds a case, so the strings of the text
# patterns (`Line`, `Text`) are generated at most this long; longer ones are refused by
# `maxLength`, which tests/web/test_input_hygiene.py and the schema tests cover.
GENERATED_TEXT_LENGTH = 500


def _shorter_text(node: Any) -> None:
    if isinstance(node, list):
        for item in node:
            _shorter_text(item)
    elif isinstance(node, dict):
        if node.get("pattern") in (LINE_PATTERN, TEXT_PATTERN) and "maxLength" in node:
            node["maxLength"] = min(node["maxLength"], GENERATED_TEXT_LENGTH)
        for value in node.values():
            _shorter_text(value)


def _schema(app: APIFlask) -> Any:
    """The served OpenAPI document, as schemathesis loads it, but for text lengths."""
    document = app.test_client().get("/api/openapi.json").json
    _shorter_text(document)
    schema = schemathesis.openapi.from_dict(document)
    schema.app = app
    schema.location = "/api/openapi.json"
    return schema


# Where a created record's id goes: the path parameters that take it.
CREATED: dict[str, tuple[str, ...]] = {
    "/api/v1/documents": ("document_id", "licence_id"),
    "/api/v1/documents/{document_id}/amendments": ("document_id",),
    "/api/v1/clause-drafts": ("version_id",),
    "/api/v1/webhook-endpoints": ("endpoint_id",),
}


def _remember(case: schemathesis.Case, response: Any, real_ids: dict[str, list[str]]) -> None:
    """A record the call created becomes an id later calls take (the chain of a create,
    then its get, revise, approve, send)."""
    names = CREATED.get(case.operation.path)
    if response.status_code != 201 or case.method != "POST" or not names:
        return
    body = response.json()
    if isinstance(body, dict) and isinstance(body.get("id"), str):
        for name in names:
            real_ids.setdefault(name, []).append(body["id"])


def _key(app: APIFlask, email: str, scopes: list[str] | None) -> str:
    if scopes is None:
        return api_key(app, email)
    runtime: Runtime = app.extensions["contractdesk"]
    uow = runtime.unit_of_work()
    with uow:
        user = users.user_by_email(uow.session, email)
        _, key = users.create_api_key(uow.session, user=user, name="fuzz", scopes=scopes)
        uow.commit()
    return key


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
    caller: str = "admin"
    cases: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: dict[tuple[str, str], str] = field(default_factory=dict)
    timings: dict[str, tuple[int, float]] = field(default_factory=dict)

    def add(self, operation: str, kind: str, message: str) -> None:
        self.failures.setdefault((operation, kind), message)


TOTALS: list[Findings] = []


@pytest.fixture(scope="module", autouse=True)
def _summary() -> Any:
    """After every caller: the cases, statuses and time of the whole run."""
    started = time.monotonic()
    yield
    if len(TOTALS) < 2:
        return
    statuses: Counter[int] = Counter()
    for findings in TOTALS:
        statuses.update(findings.statuses)
    cases = sum(f.cases for f in TOTALS)
    failures = sum(len(f.failures) for f in TOTALS)
    print(
        f"\nIn all: {cases} cases as {len(TOTALS)} callers in {time.monotonic() - started:.0f} s, "
        f"{failures} findings; statuses {dict(sorted(statuses.items()))}"
    )


@pytest.mark.parametrize("caller", ROLES)
def test_the_api_survives_generated_requests(
    caller: str, postgres_url: str, tmp_path: Path, instance_dir: Path
) -> None:
    app: APIFlask = build_app(
        make_settings(postgres_url, tmp_path, instance_dir, rate_limit="1000000/minute")
    )
    runtime: Runtime = app.extensions["contractdesk"]
    admin = {"Authorization": f"Bearer {api_key(app, 'admin@example.com')}"}
    real_ids = _real_ids(app, admin)
    email, scopes = CALLERS[caller]
    headers = {"Authorization": f"Bearer {_key(app, email, scopes)}"}
    schema = _schema(app)
    findings = Findings(caller)
    TOTALS.append(findings)
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
                _remember(case, response, real_ids)
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
        f"\n{caller}: {findings.cases} cases in {elapsed:.1f} s "
        f"({findings.cases / elapsed:.0f}/s), seed {SEED}; "
        f"statuses {dict(sorted(findings.statuses.items()))}; slowest:"
    )
    for name, (cases, seconds) in sorted(findings.timings.items(), key=lambda t: -t[1][1])[:5]:
        print(f"{seconds:6.1f} s {cases:4d} cases  {name}")
    report = "\n\n".join(f"{op} — {kind}\n{text}" for (op, kind), text in findings.failures.items())
    assert not findings.failures, report
    assert findings.cases >= MINIMUM_CASES
    if ALL_ROLES and caller == ROLES[-1]:
        assert sum(f.cases for f in TOTALS) >= MINIMUM_TOTAL
