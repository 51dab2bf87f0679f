"""API authentication: `Authorization: Bearer <api key>`. A key acts as its user, within
its scopes: each endpoint names the scope it needs (apiflask's roles), and the key's
scopes are the roles it has."""

from __future__ import annotations

from apiflask import HTTPError, HTTPTokenAuth
from flask import Response, g

from app.users import services as users
from app.users.models import ApiKey, User
from app.users.scopes import SCOPES, granted
from app.web.context import unit_of_work
from app.web.problems import problem, problem_response

auth = HTTPTokenAuth(
    scheme="Bearer",
    description="An API key (`contractdesk apikey create`, or an admin's `POST "
    "/api/v1/api-keys`). It acts with its user's role, within its scopes: "
    + ", ".join(f"`{scope}`" for scope in SCOPES)
    + " (`admin` holds them all).",
    security_scheme_name="ApiKey",
)


SCOPE_REFUSAL = "this API key does not hold the scope this call needs"
NO_KEY = "give a valid API key: Authorization: Bearer <key>"


@auth.error_processor
def _auth_error(error: HTTPError) -> Response:
    """401 and 403 from authentication as problem documents that say what is missing."""
    detail = SCOPE_REFUSAL if error.status_code == 403 else NO_KEY
    slug = "missing-scope" if error.status_code == 403 else "unauthenticated"
    title = "Forbidden" if error.status_code == 403 else "Unauthorized"
    return problem_response(problem(error.status_code, title, detail, slug=slug))


@auth.verify_token
def _verify(token: str) -> User | None:
    if not token:
        return None
    uow = unit_of_work()
    with uow:
        record = users.api_key_for(uow.session, token)
        uow.commit()
        if record is None:
            return None
        g.api_key = record
        return record.user


@auth.get_user_roles
def _scopes(user: User) -> list[str]:
    record: ApiKey | None = g.get("api_key")
    return granted(record.scopes) if record is not None else []


def current_user() -> User:
    user = auth.current_user
    assert isinstance(user, User)
    return user


def current_api_key() -> ApiKey:
    record = g.get("api_key")
    assert isinstance(record, ApiKey)
    return record
