"""Domain errors. Each carries what the web layer needs to answer, nothing web-specific."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class FieldError:
    """One bad field: `pointer` is a JSON pointer into the request body (RFC 6901).

    `code` names the kind of mistake (Pydantic's error types, e.g. `missing` or
    `less_than_equal`, or one of ours such as `unknown_sku`) and `params` its figures, so
    that a page can say it in the user's language; `detail` is the API's English text."""

    pointer: str
    detail: str
    code: str = ""
    params: dict[str, str] = field(default_factory=dict)


@dataclass
class DomainError(Exception):
    """A refusal: `detail` is the API's English text; `code` optionally names the refusal
    (e.g. `not_draft`) so that a page can say it in the user's language (see
    app/web/form_errors.refusal), which otherwise words it by the error's class."""

    detail: str
    errors: list[FieldError] = field(default_factory=list)
    code: str = ""

    title = "Request could not be processed"
    status = 400
    slug = "bad-request"

    def __str__(self) -> str:
        return self.detail

    def as_dict(self) -> dict[str, object]:
        """A JSON-able form, so an error raised in a worker reaches the caller unchanged."""
        return {
            "slug": self.slug,
            "detail": self.detail,
            "code": self.code,
            "errors": [
                {"pointer": e.pointer, "detail": e.detail, "code": e.code, "params": e.params}
                for e in self.errors
            ],
        }

    @staticmethod
    def from_dict(data: dict[str, Any]) -> DomainError:
        kinds = {cls.slug: cls for cls in _all_subclasses(DomainError)}
        kind = kinds.get(str(data.get("slug")), DomainError)
        errors = [
            FieldError(e["pointer"], e["detail"], e.get("code", ""), e.get("params", {}))
            for e in data.get("errors", [])
        ]
        return kind(str(data.get("detail", "")), errors, str(data.get("code", "")))


class InvalidInput(DomainError):
    title = "Invalid input"
    status = 422
    slug = "invalid-input"


class NotFound(DomainError):
    title = "Not found"
    status = 404
    slug = "not-found"


class Unauthenticated(DomainError):
    """The caller did not prove who it is (a missing or wrong signature or key)."""

    title = "Unauthenticated"
    status = 401
    slug = "unauthenticated"


class Forbidden(DomainError):
    title = "Forbidden"
    status = 403
    slug = "forbidden"


@dataclass
class ControlRefused(Forbidden):
    """A control refused a decision (an approval, a publication); `rule` names the control,
    e.g. `segregation-of-duties`, so a client and an auditor can tell which."""

    rule: str = "forbidden"

    title = "Refused by a control"
    slug = "control-refused"


class Conflict(DomainError):
    """The request is valid but the document is not in a state that allows it."""

    title = "Conflict with the current state"
    status = 409
    slug = "conflict"


class Gone(DomainError):
    title = "No longer available"
    status = 410
    slug = "gone"


class TooLarge(DomainError):
    """An upload larger than the service accepts; the detail says the limit."""

    title = "Content too large"
    status = 413
    slug = "too-large"


class Unavailable(DomainError):
    """An outside part (storage, signing provider) cannot be reached; try again later."""

    title = "Service temporarily unavailable"
    status = 503
    slug = "unavailable"


class IntegrityFailure(DomainError):
    """Stored bytes no longer match the checksum recorded for them."""

    title = "Stored object failed its integrity check"
    status = 500
    slug = "integrity-failure"


def _all_subclasses(cls: type[DomainError]) -> list[type[DomainError]]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_all_subclasses(sub)]
    return found
