"""Hostile input (issues 10 and 21): schemathesis generates requests, valid and invalid,
from the served OpenAPI document and calls the app directly over WSGI. No answer is a
5xx, every answer matches what the document says (status, content type, headers, body),
and a rejected request (4xx) changes no row and no stored object.

Two ways: each operation alone (records a call creates join the ids later calls take), and
sequences along the document's links (a created quote followed by its get, revision,
approval and sending; a listed endpoint by its delivery log), as schemathesis's state
machine walks them.

The suite fuzzes as admin (every scope). `make fuzz` (CONTRACTDESK_FUZZ_ROLES=all) fuzzes
as each role in turn (support, legal, finance, director, admin) and with a key of the
manager's that holds only `documents:read` and `documents:write`, and wants 20,000 cases
in all.

The seed is fixed so CI is reproducible; set CONTRACTDESK_FUZZ_SEED to explore others,
and CONTRACTDESK_FUZZ_EXAMPLES for more (or fewer) cases per operation and mode. The suite
runs 8 per operation and mode and 8 linked sequences to stay within its time; `make fuzz`
runs 30 of each per role."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from apiflask import APIFlask
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from app.runtime import Runtime
from tests.conftest import api_key, build_app, make_settings
from tests.support.fuzzing import (
    ALL_ROLES,
    CALLERS,
    EXAMPLES_PER_OPERATION,
    MINIMUM_CASES,
    MINIMUM_TOTAL,
    REAL_ID_ODDS,
    ROLES,
    SEED,
    Findings,
    Watch,
    caller_key,
    own_key_id,
    real_ids,
    remember,
    served_schema,
)

TOTALS: list[Findings] = []
FOLLOWED: Counter[str] = Counter()
"""Calls of the linked sequences that took a name an earlier answer gave, by operation."""
# A linked sequence is at most this many calls: a create, then what its links lead to.
STEPS_PER_SEQUENCE = 10


@pytest.fixture(scope="module", autouse=True)
def _summary() -> Any:
    """After every caller and both ways: the cases, statuses and time of the whole run,
    which `make fuzz` wants at MINIMUM_TOTAL cases or more."""
    started = time.monotonic()
    yield
    statuses: Counter[int] = Counter()
    for findings in TOTALS:
        statuses.update(findings.statuses)
    cases = sum(f.cases for f in TOTALS)
    failures = sum(len(f.failures) for f in TOTALS)
    print(
        f"\nIn all: {cases} cases in {len(TOTALS)} runs in {time.monotonic() - started:.0f} s, "
        f"{failures} findings; statuses {dict(sorted(statuses.items()))}"
    )
    print(f"Links followed: {sum(FOLLOWED.values())}, to {len(FOLLOWED)} operations")
    if ALL_ROLES:
        assert cases >= MINIMUM_TOTAL, f"{cases} cases, fewer than {MINIMUM_TOTAL}"
    if any(f.caller.endswith("sequences") for f in TOTALS):
        assert FOLLOWED, "the linked sequences followed no links"


def _fuzzing_app(postgres_url: str, tmp_path: Path, instance_dir: Path) -> APIFlask:
    return build_app(
        make_settings(postgres_url, tmp_path, instance_dir, rate_limit="1000000/minute")
    )


def _headers(app: APIFlask, caller: str) -> dict[str, str]:
    email, scopes = CALLERS[caller]
    return {"Authorization": f"Bearer {caller_key(app, email, scopes)}"}


def _print_run(findings: Findings, elapsed: float) -> None:
    print(
        f"\n{findings.caller}: {findings.cases} cases in {elapsed:.1f} s "
        f"({findings.cases / elapsed:.0f}/s), seed {SEED}; "
        f"statuses {dict(sorted(findings.statuses.items()))}"
    )
    slowest = sorted(findings.timings.items(), key=lambda t: -t[1][1])[:5]
    for name, (cases, seconds) in slowest:
        print(f"{seconds:6.1f} s {cases:4d} cases  {name}")


@pytest.mark.parametrize("caller", ROLES)
def test_the_api_survives_generated_requests(
    caller: str, postgres_url: str, tmp_path: Path, instance_dir: Path
) -> None:
    app = _fuzzing_app(postgres_url, tmp_path, instance_dir)
    runtime: Runtime = app.extensions["contractdesk"]
    ids = real_ids(app, {"Authorization": f"Bearer {api_key(app, 'admin@example.com')}"})
    headers = _headers(app, caller)
    schema = served_schema(app)
    findings = Findings(f"{caller}, each operation")
    TOTALS.append(findings)
    watch = Watch(runtime)
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
                for name in case.path_parameters or {}:
                    if odds == 1 and ids.get(name):
                        case.path_parameters[name] = ids[name][pick % len(ids[name])]
                response = case.call(headers=headers)
                findings.check(case, response, headers, watch)
                remember(case, response, ids)

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

    watch.close()
    runtime.close()
    _print_run(findings, time.monotonic() - started)
    assert not findings.failures, findings.report()
    assert findings.cases >= MINIMUM_CASES


def _json_or_none(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:  # a file (PDF, CSV, XLSX) or an empty answer
        return None


def _names_in(body: Any) -> set[str]:
    """Every string an answer gives as an `id`, anywhere in it."""
    if isinstance(body, list):
        return set().union(*(_names_in(item) for item in body)) if body else set()
    if not isinstance(body, dict):
        return set()
    found = {body["id"]} if isinstance(body.get("id"), str) else set()
    return found.union(*(_names_in(value) for value in body.values()))


@pytest.mark.parametrize("caller", ROLES)
def test_the_api_survives_linked_sequences(
    caller: str, postgres_url: str, tmp_path: Path, instance_dir: Path
) -> None:
    """Schemathesis's state machine walks the OpenAPI links: each sequence starts with a
    call and goes on with calls its answer links to, filled from that answer. The caller's
    own key is never revoked (a link from the key list could name it): the spare key is."""
    app = _fuzzing_app(postgres_url, tmp_path, instance_dir)
    runtime: Runtime = app.extensions["contractdesk"]
    spare = real_ids(app, {"Authorization": f"Bearer {api_key(app, 'admin@example.com')}"})
    headers = _headers(app, caller)
    own_key = own_key_id(app, headers["Authorization"].removeprefix("Bearer "))
    findings = Findings(f"{caller}, linked sequences")
    TOTALS.append(findings)
    watch = Watch(runtime)
    given_names: set[str] = set()
    followed: Counter[str] = Counter()
    started = time.monotonic()

    class Sequences(served_schema(app).as_state_machine()):  # type: ignore[misc]
        def before_call(self, case: schemathesis.Case) -> None:
            parameters = case.path_parameters or {}
            if parameters.get("key_id") == own_key:
                parameters["key_id"] = spare["key_id"][0]
            if given_names.intersection(str(v) for v in parameters.values()):
                followed[case.operation.label] += 1

        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
            return {"headers": headers}

        def validate_response(self, response: Any, case: schemathesis.Case, **_: Any) -> None:
            findings.check(case, response, headers, watch)
            if response.status_code < 300:
                given_names.update(_names_in(_json_or_none(response)))

    Sequences.run(
        settings=settings(
            max_examples=EXAMPLES_PER_OPERATION,
            stateful_step_count=STEPS_PER_SEQUENCE,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
    )
    watch.close()
    runtime.close()
    _print_run(findings, time.monotonic() - started)
    print(f"calls that took a name an earlier answer gave: {dict(followed.most_common(8))}")
    FOLLOWED.update(followed)
    assert not findings.failures, findings.report()
