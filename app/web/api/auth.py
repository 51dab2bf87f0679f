"""API authentication: `Authorization: Bearer <api key>`; the key acts as its user."""

from __future__ import annotations

from apiflask import HTTPTokenAuth

from app.users import services as users
from app.users.models import User
from app.web.context import unit_of_work

auth = HTTPTokenAuth(
    scheme="Bearer",
    description="An API key from `contractdesk apikey create`; it acts with its user's role.",
    security_scheme_name="ApiKey",
)


@auth.verify_token
def _verify(token: str) -> User | None:
    if not token:
        return None
    uow = unit_of_work()
    with uow:
        user = users.user_for_api_key(uow.session, token)
        uow.commit()
        return user


def current_user() -> User:
    user = auth.current_user
    assert isinstance(user, User)
    return user
