"""What the API fuzzing runs share (tests/web/test_api_fuzz.py, stateless, and
tests/web/test_api_stateful.py, along the OpenAPI links): who calls, the checks every answer
must pass, and the snapshot of rows and stored objects that a refused request must leave as
it was."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from apiflask import APIFlask
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
from tests.conftest import WAIT, api_key
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


def refusal_on_record(response: Any, changed: list[str]) -> bool:
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


def snapshot(rows: Connection, runtime: Runtime) -> dict[str, Any]:
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


def shorter_text(node: Any) -> None:
    if isinstance(node, list):
        for item in node:
            shorter_text(item)
    elif isinstance(node, dict):
        if node.get("pattern") in (LINE_PATTERN, TEXT_PATTERN) and "maxLength" in node:
            node["maxLength"] = min(node["maxLength"], GENERATED_TEXT_LENGTH)
        for value in node.values():
            shorter_text(value)


def served_schema(app: APIFlask) -> Any:
    """The served OpenAPI document, as schemathesis loads it, but for text lengths."""
    document = app.test_client().get("/api/openapi.json").json
    shorter_text(document)
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


def remember(case: schemathesis.Case, response: Any, real_ids: dict[str, list[str]]) -> None:
    """A record the call created becomes an id later calls take (the chain of a create,
    then its get, revise, approve, send)."""
    names = CREATED.get(case.operation.path)
    if response.status_code != 201 or case.method != "POST" or not names:
        return
    body = response.json()
    if isinstance(body, dict) and isinstance(body.get("id"), str):
        for name in names:
            real_ids.setdefault(name, []).append(body["id"])


def caller_key(app: APIFlask, email: str, scopes: list[str] | None) -> str:
    if scopes is None:
        return api_key(app, email)
    runtime: Runtime = app.extensions["contractdesk"]
    uow = runtime.unit_of_work()
    with uow:
        user = users.user_by_email(uow.session, email)
        _, key = users.create_api_key(uow.session, user=user, name="fuzz", scopes=scopes)
        uow.commit()
    return key


def own_key_id(app: APIFlask, key: str) -> str:
    """The id of the API key a caller holds."""
    runtime: Runtime = app.extensions["contractdesk"]
    uow = runtime.unit_of_work()
    with uow:
        found = users.api_key_for(uow.session, key)
        assert found is not None
        return str(found.id)


def real_ids(app: APIFlask, headers: dict[str, str]) -> dict[str, list[str]]:
    """Existing records by path parameter name: a draft quote, the shipped clauses and
    templates, a webhook endpoint, and a spare API key to revoke (never the fuzzing key,
    which is therefore never revoked)."""
    client = app.test_client()
    quote = client.post(
        "/api/v1/documents", json=plain_quote_request(app), headers={**headers, **WAIT}
    )
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


class Watch:
    """The rows and stored objects as the last answer left them, to tell what a call changed."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.rows = runtime.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        self.before = snapshot(self.rows, runtime)

    def changed(self) -> list[str]:
        after = snapshot(self.rows, self.runtime)
        changed = sorted(k for k in after if after[k] != self.before.get(k))
        self.before = after
        return changed

    def close(self) -> None:
        self.rows.close()


@dataclass
class Findings:
    caller: str = "admin"
    cases: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: dict[tuple[str, str], str] = field(default_factory=dict)
    timings: dict[str, tuple[int, float]] = field(default_factory=dict)
    found: Counter[str] = field(default_factory=Counter)
    """Operations on a record (with a path parameter) that answered 2xx: a record was found."""

    def add(self, operation: str, kind: str, message: str) -> None:
        self.failures.setdefault((operation, kind), message)

    def check(
        self, case: schemathesis.Case, response: Any, headers: dict[str, str], watch: Watch
    ) -> None:
        """One answer: as the document says it is (status, type, headers, body), and, when
        it refuses (4xx), no row or stored object changed."""
        watch.runtime.jobs.wait_idle()
        label = case.operation.label
        self.cases += 1
        self.statuses[response.status_code] += 1
        if response.status_code < 300 and case.path_parameters:
            self.found[label] += 1
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except FailureGroup as group:
            for failure in group.exceptions:
                self.add(label, f"{failure.title} ({response.status_code})", str(group))
        changed = watch.changed()
        if refusal_on_record(response, changed):
            changed = []
        if 400 <= response.status_code < 500 and changed:
            self.add(
                label,
                f"{response.status_code} changed {changed}",
                case.as_curl_command(headers=headers),
            )

    def report(self) -> str:
        return "\n\n".join(f"{op} — {kind}\n{text}" for (op, kind), text in self.failures.items())
