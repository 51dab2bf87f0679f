"""The document page's forms (send, withdraw, cancel, decide) read, and their mistakes put
back beside their fields: each field is named by its element id on the document page."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from app.errors import DomainError, FieldError
from app.signing.sending import SignerRequest
from app.web.form_errors import messages_by_field

MAX_SIGNERS = 10


def signers(form: MultiDict[str, str]) -> tuple[list[SignerRequest], dict[str, str]]:
    """The signers typed, and the mistakes among them in words by field id."""
    found, errors = [], []
    for index in range(MAX_SIGNERS):
        name = form.get(f"signers-{index}-name", "").strip()
        email = form.get(f"signers-{index}-email", "").strip()
        title = " ".join(form.get(f"signers-{index}-title", "").split())[:200]
        if not (name or email):
            continue
        found.append(SignerRequest(name, email, index + 1, title=title))
        if not name:
            errors.append(FieldError(f"/signers/{index}/name", "a name", "required"))
        if "@" not in email.strip("@") or " " in email:
            errors.append(FieldError(f"/signers/{index}/email", "an email address", "not_email"))
    if not found:
        errors.append(FieldError("/signers/0/name", "a signer", "required"))
    return found, messages_by_field(errors, _signer_field)


def _signer_field(pointer: str) -> str:
    return pointer.strip("/").replace("/", "-") or "form"


def refused(exc: DomainError, form: str) -> dict[str, str]:
    """A service's refusal of one of the page's forms (`send`, `void`, `cancel`,
    `decide`) in words by field id; empty when it names no field."""
    return messages_by_field(exc.errors, lambda pointer: field_id(form, pointer))


def field_id(form: str, pointer: str) -> str:
    """The element id of the field a service's JSON pointer names, on the document page."""
    name = pointer.strip("/").split("/")[0]
    if form == "send":
        return _signer_field(pointer)
    if form == "void" and name == "reason":
        return "void-reason"
    if form == "cancel" and name in {"reason", "lines", "effective_date"}:
        return f"cancel-{name.replace('_', '-')}"
    if form == "po" and name in {"period", "po_number"}:
        return f"po-{name.replace('_', '-')}"
    if form == "decide" and name == "comment":
        return "comment"
    return "form"


def label(name: str) -> str:
    """A field's label as the document page shows it, for the error summary."""
    parts = name.split("-")
    if len(parts) == 3 and parts[0] == "signers" and parts[1].isdigit():
        number = int(parts[1]) + 1
        if parts[2] == "email":
            return _("Signer %(number)d: email", number=number)
        return _("Signer %(number)d: name", number=number)
    return {
        "void-reason": _("Reason to withdraw"),
        "cancel-reason": _("Reason"),
        "cancel-lines": _("Lines to cancel"),
        "cancel-effective-date": _("Cancelled from"),
        "po-period": _("Invoice period"),
        "po-po-number": _("PO number"),
        "comment": _("Comment"),
    }.get(name, name)


def day(typed: str) -> date | None:
    """A date typed in a form (an HTML date field's YYYY-MM-DD); None for none or nonsense,
    which the service then asks for."""
    try:
        return date.fromisoformat(typed.strip())
    except ValueError:
        return None


def typed(form: MultiDict[str, str]) -> dict[str, object]:
    """What was typed into the page's forms, to show again with the mistakes."""
    kept: dict[str, object] = {key: value for key, value in form.items() if key != "csrf_token"}
    kept["cancel-lines"] = form.getlist("lines")
    return kept
