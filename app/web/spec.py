"""The OpenAPI document's parts that Pydantic cannot see from the views: a document's
`data` is one of the kinds' data models, chosen by the template; the `Idempotency-Key`
header every POST takes; the 400, 429 and problem documents every keyed call may meet;
the scope each call needs; decimal strings as JSON Schema can check them."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from flask import current_app

from app.assembly.kinds import KINDS
from app.assembly.text import LINE_PATTERN
from app.library.clause_files import KEY_PATTERN as SLUG
from app.web.api.documents import FILE_KINDS
from app.web.idempotency import KEY_PATTERN
from app.web.problems import PROBLEM_JSON
from app.web.schemas.webhooks import DocumentEvent, InvoiceEvent

# Pydantic leaves a decimal's constraints under its own names, which JSON Schema ignores.
DECIMAL_CONSTRAINTS = ("ge", "gt", "le", "lt", "max_digits", "decimal_places")


def kind_schemas() -> dict[str, dict[str, Any]]:
    """Each kind's data model and the models it uses, as OpenAPI components."""
    components: dict[str, dict[str, Any]] = {}
    for kind in KINDS.values():
        schema = kind.data_model.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(schema.pop("$defs", {}))
        components[kind.data_model.__name__] = schema
    return components


def decimal_pattern(schema: dict[str, Any]) -> str:
    """The decimal strings within a schema's constraints, as a regular expression: the sign
    only where negatives are allowed, as many digits as `max_digits` and `decimal_places`
    leave, and a power-of-ten bound (100 for a percent) written out."""
    places = schema.get("decimal_places")
    low = schema.get("ge", schema.get("gt"))
    high = schema.get("le", schema.get("lt"))
    whole = None
    if schema.get("max_digits") is not None:
        whole = schema["max_digits"] - (places or 0)
    fraction = rf"(\.\d{{1,{places}}})?" if places is not None else r"(\.\d+)?"
    bound = ""
    if high is not None and Decimal(str(high)) > 0:
        exponent = len(str(int(Decimal(str(high))))) - 1
        if Decimal(str(high)) == 10**exponent:
            whole = exponent if whole is None else min(whole, exponent)
            if "le" in schema:
                zeros = rf"(\.0{{1,{places}}})?" if places is not None else r"(\.0+)?"
                bound = f"|{10**exponent}{zeros}"
        elif whole is None:
            whole = exponent + 1
    digits = rf"\d{{1,{whole}}}" if whole is not None else r"\d+"
    sign = "-?" if low is None or Decimal(str(low)) < 0 else ""
    return f"^{sign}({digits}{fraction}{bound})$"


def decimal_max_length(schema: dict[str, Any]) -> int:
    """The longest decimal string a schema's constraints allow: sign, digits and point."""
    digits = schema.get("max_digits") or 30
    return digits + 2


def _fix_decimals(node: Any) -> None:
    """Decimal strings: `pattern` in place of Pydantic's keys, and no `anyOf` of number or
    string beside `type: string` (a JSON number is refused for money)."""
    if isinstance(node, list):
        for item in node:
            _fix_decimals(item)
        return
    if not isinstance(node, dict):
        return
    if any(key in node for key in DECIMAL_CONSTRAINTS) and node.get("type") == "string":
        node["pattern"] = decimal_pattern(node)
        node.setdefault("maxLength", decimal_max_length(node))
        for key in DECIMAL_CONSTRAINTS:
            node.pop(key, None)
        if node.get("anyOf") == [{"type": "number"}, {"type": "string"}]:
            del node["anyOf"]
    for value in node.values():
        _fix_decimals(value)


def add_kind_schemas(spec: dict[Any, Any] | str) -> dict[Any, Any] | str:
    if isinstance(spec, str):
        return spec
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in kind_schemas().items():
        schemas.setdefault(name, schema)
    _fix_decimals(schemas)
    for carrier in ("DocumentIn", "ReviseIn"):
        properties = schemas.get(carrier, {}).get("properties", {})
        if "data" in properties:
            properties["data"] = {
                "description": properties["data"].get("description", ""),
                "oneOf": [
                    {"$ref": f"#/components/schemas/{kind.data_model.__name__}"}
                    for kind in KINDS.values()
                ],
            }
    return spec


def add_webhook_events(spec: dict[Any, Any] | str) -> dict[Any, Any] | str:
    """The events an ERP or CRM receives, as OpenAPI 3.1 `webhooks`: one shape for
    `invoice.trigger` and `invoice.credit`, another for `document.ready`."""
    if isinstance(spec, str):
        return spec
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    for model in (InvoiceEvent, DocumentEvent):
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
    said = {
        "invoice.trigger": (
            "InvoiceEvent",
            "An invoice or an adjustment invoice: the first periods due at "
            "signature, each later period on the day it starts (a daily sweep), the difference "
            "an amendment makes to periods already invoiced.",
        ),
        "invoice.credit": (
            "InvoiceEvent",
            "A credit note: a cancellation's credit for what an invoice charged "
            "after the cancellation's date, or an amendment that lowers a period invoiced.",
        ),
        "document.ready": (
            "DocumentEvent",
            "The files of a document's version are made: a create, revise or "
            "regenerate answered 202 while they rendered. A failed render sends nothing; its "
            "reason is the document's `render_error`.",
        ),
    }
    spec["webhooks"] = {
        name: {
            "post": {
                "summary": name,
                "description": text + " Signed per Standard Webhooks; deduplicate on `webhook-id`.",
                "requestBody": {
                    "content": {
                        "application/json": {"schema": {"$ref": f"#/components/schemas/{model}"}}
                    }
                },
                "responses": {"200": {"description": "Received (any 2xx)"}},
            }
        }
        for name, (model, text) in said.items()
    }
    return spec


IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Any unique string (a UUID) of 1 to 255 printable ASCII characters: the "
    "same request again within 24 hours gets the first answer (with `Idempotent-Replayed: "
    "true`) and does nothing twice; the same key with another request is refused (422); "
    "while the first is still being answered, 409. A key that is empty, longer or holds "
    "other characters is refused (400).",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": KEY_PATTERN},
    "example": "3f6c2b9e-2a4f-4f7e-9a51-9d8f0c1e2b7a",
}
PROBLEM = {
    "type": "object",
    "description": "An RFC 9457 problem document; `errors` holds a JSON pointer per bad field",
    "required": ["type", "title", "status", "detail", "instance"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["pointer", "detail"],
                "properties": {"pointer": {"type": "string"}, "detail": {"type": "string"}},
            },
        },
        "limit": {
            "type": "object",
            "description": "An upload refused by a bound: its name, value and the setting "
            "that tunes it (null when fixed)",
            "properties": {
                "name": {"type": "string"},
                "value": {"type": "integer"},
                "setting": {"type": ["string", "null"]},
            },
        },
    },
}
INVALID_INPUT = {
    "description": "A parameter or a field of the body is not what the schema says (e.g. a "
    "control character in text); `errors` points at each",
    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/HTTPError"}}},
}
BAD_REQUEST = {
    "description": "The body is not what its content type says (e.g. not JSON), or the "
    "`Idempotency-Key` is empty, too long or not printable",
    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/HTTPError"}}},
}
IDEMPOTENCY_REUSED = {
    "description": "The `Idempotency-Key` was used for another request",
    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/HTTPError"}}},
}
IDEMPOTENCY_IN_USE = {
    "description": "The first request with this `Idempotency-Key` is still being answered",
    "headers": {"Retry-After": {"schema": {"type": "integer"}}},
    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/HTTPError"}}},
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
    "CancelIn": {"reason": "The library closes its Delft site", "effective_date": "2028-07-01"},
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


SLUG_PATTERN = SLUG.pattern
RULE_ARGUMENT = re.compile(r"<(?:(\w+):)?(\w+)>")
CONVERTER_SCHEMAS: dict[str, dict[str, Any]] = {
    "uuid": {"type": "string", "format": "uuid"},
    "int": {"type": "integer"},
}
# Path parameters taken as any string by the router, as their views accept them.
NAMED_SCHEMAS: dict[str, dict[str, Any]] = {
    "key": {"type": "string", "minLength": 1, "maxLength": 100, "pattern": SLUG_PATTERN},
    "currency": {"type": "string", "minLength": 3, "maxLength": 3, "pattern": "^[A-Za-z]{3}$"},
    "kind": {"type": "string", "enum": list(FILE_KINDS)},
    "event_ref": {"type": "string", "minLength": 1, "maxLength": 100, "pattern": LINE_PATTERN},
}


def _type_path_parameters(spec: dict[Any, Any]) -> None:
    """A path parameter as its route's converter takes it (a UUID, an integer), not any
    string: anything else is answered 404 by the router before the view."""
    for rule in current_app.url_map.iter_rules():
        path = RULE_ARGUMENT.sub(r"{\2}", rule.rule)
        converters = {name: kind for kind, name in RULE_ARGUMENT.findall(rule.rule)}
        for operation in spec.get("paths", {}).get(path, {}).values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                schema = CONVERTER_SCHEMAS.get(converters.get(parameter["name"], ""))
                schema = schema or NAMED_SCHEMAS.get(parameter["name"])
                if parameter.get("in") == "path" and schema is not None:
                    parameter["schema"] = dict(schema)


def add_api_conventions(spec: dict[Any, Any] | str) -> dict[Any, Any] | str:
    if isinstance(spec, str):
        return spec
    _type_path_parameters(spec)
    schemas = spec.get("components", {}).get("schemas", {})
    schemas["HTTPError"] = schemas["ValidationError"] = PROBLEM
    for name, example in EXAMPLES.items():
        if name in schemas:
            schemas[name].setdefault("examples", [example])
    for (path, method), content in RAW_BODIES.items():
        operation = spec.get("paths", {}).get(path, {}).get(method)
        if operation is not None:
            operation.setdefault("requestBody", {"required": True, "content": content})
    for operations in spec.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict):
                continue
            responses = operation.setdefault("responses", {})
            for status, response in responses.items():
                if int(status) < 400:
                    continue
                content = response.setdefault("content", {})
                content[PROBLEM_JSON] = content.pop("application/json", None) or {
                    "schema": {"$ref": "#/components/schemas/HTTPError"}
                }
            if "requestBody" in operation:
                operation["requestBody"]["required"] = True  # an empty body is not JSON: 400
                responses.setdefault("400", BAD_REQUEST)
            if "requestBody" in operation or operation.get("parameters"):
                responses.setdefault("422", INVALID_INPUT)
            if "security" not in operation:
                continue  # DocuSign's Connect webhook: signed, not keyed
            if method == "post":
                operation.setdefault("parameters", []).append(IDEMPOTENCY_KEY)
                responses.setdefault("400", BAD_REQUEST)
                responses.setdefault("409", IDEMPOTENCY_IN_USE)
                responses.setdefault("422", IDEMPOTENCY_REUSED)
            responses.setdefault("403", FORBIDDEN)
            responses.setdefault("429", TOO_MANY)
    return spec
