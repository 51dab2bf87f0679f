"""Every API endpoint against every scope: a key with the scope the endpoint names gets
past authorization, a key without it gets 403, no key gets 401. The endpoints come from
the OpenAPI document, so a new endpoint is in the matrix the day it is added."""

from __future__ import annotations

import re
import uuid

from apiflask import APIFlask

from app.users.scopes import SCOPES
from app.web.api.auth import SCOPE_REFUSAL

SAMPLE_PARAMS = {"kind": "pdf", "key": "quote", "year": "2027", "currency": "EUR"}


def _url(path: str) -> str:
    def value(match: re.Match[str]) -> str:
        return SAMPLE_PARAMS.get(match.group(1), str(uuid.uuid4()))

    return re.sub(r"\{([a-z_]+)\}", value, path)


def test_each_endpoint_lets_in_exactly_the_scope_it_names(app: APIFlask) -> None:
    client = app.test_client()
    admin = {"Authorization": "Bearer " + _admin_key(app, ["admin"])}
    keys = {scope: {"Authorization": "Bearer " + _admin_key(app, [scope])} for scope in SCOPES}
    spec = client.get("/api/openapi.json").json
    checked = 0
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if "security" not in operation:
                continue
            [requirement] = operation["security"]
            needed = set(requirement["ApiKey"])
            url = _url(path)
            call = getattr(client, method)
            assert call(url, json={}).status_code == 401, (method, path)
            for scope, headers in keys.items():
                answer = call(url, json={}, headers=headers)
                refused_for_scope = answer.status_code == 403 and _scope_refusal(answer.json)
                allowed = scope in needed or scope == "admin"
                assert refused_for_scope != allowed, (method, path, scope, answer.status_code)
            answer = call(url, json={}, headers=admin)
            assert answer.status_code != 401 and not _scope_refusal(answer.json or {})
            checked += 1
    assert checked >= 40


def _scope_refusal(problem: dict[str, object]) -> bool:
    """A 403 for the key's scopes, not one of the service's own rules (an admin is not a
    lawyer: it may not approve a clause, whatever its key holds)."""
    return problem.get("detail") == SCOPE_REFUSAL


def _admin_key(app: APIFlask, scopes: list[str]) -> str:
    from app.users import services as users

    uow = app.extensions["contractdesk"].unit_of_work()
    with uow:
        user = users.user_by_email(uow.session, "admin@example.com")
        _, key = users.create_api_key(uow.session, user=user, name=",".join(scopes), scopes=scopes)
        uow.commit()
    return key
