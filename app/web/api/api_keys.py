"""API keys, administered by an admin: create (the key shown once), list, revoke."""

from __future__ import annotations

import uuid
from typing import Any

from apiflask import APIBlueprint

from app.users import scopes
from app.users import services as users
from app.users.models import ApiKey
from app.web.api.auth import auth, current_user
from app.web.context import unit_of_work
from app.web.hygiene import small_body
from app.web.schemas.api_keys import ApiKeyIn, ApiKeyOut, ApiKeysOut, NewApiKeyOut

bp = APIBlueprint("api_keys", __name__, url_prefix="/api/v1", tag="API keys")


def key_out(record: ApiKey) -> dict[str, Any]:
    return {
        "id": record.id,
        "name": record.name,
        "prefix": record.prefix,
        "user": record.user.email,
        "scopes": record.scopes,
        "created_at": record.created_at,
        "last_used_at": record.last_used_at,
        "revoked_at": record.revoked_at,
    }


@bp.post("/api-keys")
@bp.auth_required(auth, roles=[scopes.ADMIN])
@bp.input(ApiKeyIn)
@bp.output(NewApiKeyOut, status_code=201)
@bp.doc(
    summary="Create an API key for a user (admin); the key is in this answer only",
    responses={404: "No user has that email"},
)
@small_body
def create(json_data: ApiKeyIn) -> tuple[dict[str, Any], int]:
    uow = unit_of_work()
    with uow:
        user = users.user_by_email(uow.session, str(json_data.user))
        record, key = users.create_api_key(
            uow.session,
            user=user,
            name=json_data.name,
            scopes=list(json_data.scopes) if json_data.scopes is not None else None,
            actor=current_user(),
        )
        uow.commit()
        return {**key_out(record), "key": key}, 201


@bp.get("/api-keys")
@bp.auth_required(auth, roles=[scopes.ADMIN])
@bp.output(ApiKeysOut)
@bp.doc(summary="Every API key, newest first, with its last use (admin)")
def list_keys() -> dict[str, Any]:
    uow = unit_of_work()
    with uow:
        return {"keys": [key_out(record) for record in users.list_api_keys(uow.session)]}


@bp.delete("/api-keys/<uuid:key_id>")
@bp.auth_required(auth, roles=[scopes.ADMIN])
@bp.output(ApiKeyOut)
@bp.doc(summary="Revoke an API key (admin): it stops working at once", responses=[404])
def revoke(key_id: uuid.UUID) -> dict[str, Any]:
    uow = unit_of_work()
    with uow:
        record = users.revoke_api_key(uow.session, key_id, actor=current_user())
        uow.commit()
        return key_out(record)
