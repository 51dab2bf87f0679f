"""OpenAPI links: where an answer names a record, which calls take that name.

A client generated from the document (or a tester walking it, as `make fuzz` does) can
follow a created quote to its get, revise, approve and send, a clause draft to its review,
a listed endpoint to its delivery log, without knowing the paths by heart. Each link says
which member of the answer fills which path parameter of the next call (OpenAPI 3.1,
*Link Object*)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

HTTP_METHODS = ("get", "put", "post", "delete", "patch")


@dataclass(frozen=True)
class Names:
    """A record that answers carry: the path (up to its parameter) of the calls that take
    it, and where its name is in each answer schema that holds one."""

    path: str
    found_in: dict[str, str]
    """Answer schema -> JSON pointer to the name in that answer."""
    also: dict[str, dict[str, str]] | None = None
    """Answer schema -> further parameters of the same call, each with its pointer."""


DOCUMENT_IN = {
    "DocumentOut": "/id",
    "TitleListImportOut": "/id",
    "VersionOut": "/id",
    "DocumentPageOut": "/documents/0/id",
    "QueueOut": "/items/0/id",
    "ExpiringOut": "/quotes/0/id",
    "WhereUsedOut": "/documents/0/document_id",
    "TitleListsOut": "/lists/0/document_id",
    "InvoicingOut": "/invoices/0/document_id",
    "InvoicesOut": "/invoices/0/contract_id",
}

RECORDS = (
    Names("/api/v1/documents/{document_id}", DOCUMENT_IN),
    Names("/api/v1/documents/{licence_id}", DOCUMENT_IN),
    Names(
        "/api/v1/documents/{document_id}/signers/{signer_id}",
        {"DocumentOut": "/signers/0/id"},
        also={"DocumentOut": {"document_id": "/id"}},
    ),
    Names(
        "/api/v1/clause-versions/{version_id}",
        {"ClauseVersionOut": "/id", "ClauseOut": "/versions/0/id"},
    ),
    Names(
        "/api/v1/clauses/{key}",
        {"ClauseVersionOut": "/key", "ClauseListOut": "/clauses/0/key"},
    ),
    Names(
        "/api/v1/template-versions/{version_id}",
        {"TemplateVersionOut": "/id", "TemplateListOut": "/templates/0/id"},
    ),
    Names(
        "/api/v1/templates/{key}",
        {"TemplateVersionOut": "/key", "TemplateListOut": "/templates/0/key"},
    ),
    Names(
        "/api/v1/webhook-endpoints/{endpoint_id}",
        {"WebhookEndpointOut": "/id", "EndpointsOut": "/endpoints/0/id"},
    ),
    Names("/api/v1/events/{event_ref}", {"DeliveriesOut": "/deliveries/0/event_id"}),
    Names("/api/v1/api-keys/{key_id}", {"NewApiKeyOut": "/id", "ApiKeysOut": "/keys/0/id"}),
    Names("/api/v1/batches/{batch_id}", {"BatchOut": "/id"}),
    Names("/api/v1/accounts/{account_id}", {"DocumentOut": "/account/id", "AccountOut": "/id"}),
)


def _takes(path: str, prefix: str) -> bool:
    """Whether a path is a call on the record at `prefix` (the record itself, below it,
    or a file of it such as `.pdf`)."""
    if path == prefix:
        return True
    return path.startswith(prefix) and path[len(prefix)] in "/.:"


def _parameter(prefix: str) -> str:
    return prefix.rsplit("{", 1)[1].rstrip("}")


def _answer_schemas(operation: dict[str, Any]) -> list[tuple[dict[str, Any], str]]:
    """The successful answers of an operation and the schema each holds."""
    answers = []
    for status, answer in operation.get("responses", {}).items():
        if not status.startswith("2"):
            continue
        body = answer.get("content", {}).get("application/json", {}).get("schema", {})
        ref = body.get("$ref", "")
        if ref.startswith("#/components/schemas/"):
            answers.append((answer, ref.rsplit("/", 1)[1]))
    return answers


def add_links(document: dict[Any, Any] | str) -> dict[Any, Any] | str:
    """Give every successful answer that names a record a link to each call taking it (the
    document as a dict; APIFlask hands a YAML one as text, which is left as it is)."""
    if isinstance(document, str):
        return document
    operations = [
        (path, operation)
        for path, item in document.get("paths", {}).items()
        for method, operation in item.items()
        if method in HTTP_METHODS and "operationId" in operation
    ]
    for _, operation in operations:
        for answer, schema in _answer_schemas(operation):
            links = answer.setdefault("links", {})
            for record in RECORDS:
                pointer = record.found_in.get(schema)
                if pointer is None:
                    continue
                parameters = {_parameter(record.path): f"$response.body#{pointer}"}
                for name, more in (record.also or {}).get(schema, {}).items():
                    parameters[name] = f"$response.body#{more}"
                for target_path, target in operations:
                    if _takes(target_path, record.path):
                        links[target["operationId"]] = {
                            "operationId": target["operationId"],
                            "parameters": dict(parameters),
                        }
            if not links:
                del answer["links"]
    return document
