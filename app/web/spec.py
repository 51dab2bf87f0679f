"""The OpenAPI document's parts that Pydantic cannot see from the views: a document's
`data` is one of the kinds' data models, chosen by the template; the `Idempotency-Key`
header every POST takes; the 429 every keyed call may meet; the scope each call needs."""

from __future__ import annotations

from typing import Any

from app.assembly.kinds import KINDS


def kind_schemas() -> dict[str, dict[str, Any]]:
    """Each kind's data model and the models it uses, as OpenAPI components."""
    components: dict[str, dict[str, Any]] = {}
    for kind in KINDS.values():
        schema = kind.data_model.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(schema.pop("$defs", {}))
        components[kind.data_model.__name__] = schema
    return components


def add_kind_schemas(spec: dict[Any, Any] | str) -> dict[Any, Any] | str:
    if isinstance(spec, str):
        return spec
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in kind_schemas().items():
        schemas.setdefault(name, schema)
    document_in = schemas.get("DocumentIn", {}).get("properties", {})
    if "data" in document_in:
        document_in["data"] = {
            "description": document_in["data"].get("description", ""),
            "oneOf": [
                {"$ref": f"#/components/schemas/{kind.data_model.__name__}"}
                for kind in KINDS.values()
            ],
        }
    return spec


IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Any unique string (a UUID): the same request again within 24 hours gets "
    "the first answer (with `Idempotent-Replayed: true`) and does nothing twice; the same "
    "key with another request is refused (422); while the first is still being answered, 409.",
    "schema": {"type": "string", "maxLength": 255},
    "example": "3f6c2b9e-2a4f-4f7e-9a51-9d8f0c1e2b7a",
}
FORBIDDEN = {
    "description": "The key lacks the scope this call needs, or its user's role may not",
    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/HTTPError"}}},
}
TOO_MANY = {
    "description": "Over the key's rate limit: wait the seconds `Retry-After` says",
    "headers": {"Retry-After": {"schema": {"type": "integer"}}},
    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/HTTPError"}}},
}


def add_api_conventions(spec: dict[Any, Any] | str) -> dict[Any, Any] | str:
    if isinstance(spec, str):
        return spec
    for operations in spec.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "security" not in operation:
                continue  # DocuSign's Connect webhook: signed, not keyed
            if method == "post":
                operation.setdefault("parameters", []).append(IDEMPOTENCY_KEY)
            responses = operation.setdefault("responses", {})
            responses.setdefault("403", FORBIDDEN)
            responses.setdefault("429", TOO_MANY)
    return spec
