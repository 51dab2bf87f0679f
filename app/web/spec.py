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


EXAMPLES: dict[str, dict[str, Any]] = {
    "ApprovalIn": {"decision": "approve", "comment": "15 % agreed for a three-year deal"},
    "SendIn": {
        "signers": [{"name": "Helen Marsh", "email": "h.marsh@example.ac.uk", "routing_order": 1}]
    },
    "VoidIn": {"reason": "The customer asked for a different term"},
    "SigningViewIn": {"return_url": "https://crm.example.org/opportunities/OPP-4711"},
    "ReviseIn": {
        "data": {
            "account": "00000000-0000-0000-0000-000000000000",
            "currency": "EUR",
            "lines": [{"sku": "JNL-PHYS", "quantity": 1, "discount_percent": "12"}],
        }
    },
    "AmendRequest": {
        "effective_date": "2027-07-01",
        "titles_added": [
            {"title": "Journal of Sample Photonics", "issn": "2049-3630", "price": "1450.00"}
        ],
        "titles_removed": [{"issn": "1037-0536"}],
        "new_end_date": "2030-12-31",
    },
    "CancelIn": {"reason": "The training day is not needed", "lines": [2]},
    "ReplayIn": {"endpoint_id": "00000000-0000-0000-0000-000000000000"},
    "WebhookEndpointChange": {"enabled": True},
    "RotateSecretIn": {"keep_previous_hours": 24},
    "DraftEditIn": {"title": "Limitation of liability", "body": "Neither party ..."},
    "ReviewIn": {"comment": "Agreed with the insurers"},
}
RAW_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("/api/v1/batches", "post"): {
        "application/jsonl": {
            "schema": {"type": "string"},
            "example": '{"template": "quote", "external_ref": "RENEW-001", "data": {...}}\n',
        },
        "text/csv": {
            "schema": {"type": "string"},
            "example": "template,external_ref,data.account,data.currency,data.lines.0.sku,"
            "data.lines.0.quantity\r\nquote,RENEW-001,<account id>,EUR,JNL-PHYS,1\r\n",
        },
    },
    ("/api/v1/documents/{licence_id}/title-lists", "post"): {
        "text/csv": {
            "schema": {"type": "string"},
            "example": "title,issn,eissn,subject,price\r\nNature,0028-0836,1476-4687,Science,"
            "1200.00\r\n",
        },
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
            "schema": {"type": "string", "format": "binary"}
        },
    },
    ("/api/v1/templates", "post"): {
        "application/zip": {"schema": {"type": "string", "format": "binary"}}
    },
}


def add_api_conventions(spec: dict[Any, Any] | str) -> dict[Any, Any] | str:
    if isinstance(spec, str):
        return spec
    schemas = spec.get("components", {}).get("schemas", {})
    for name, example in EXAMPLES.items():
        if name in schemas:
            schemas[name].setdefault("examples", [example])
    for (path, method), content in RAW_BODIES.items():
        operation = spec.get("paths", {}).get(path, {}).get(method)
        if operation is not None:
            operation.setdefault("requestBody", {"required": True, "content": content})
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
