"""The OpenAPI document's parts that Pydantic cannot see from the views: a document's
`data` is one of the kinds' data models, chosen by the template."""

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
