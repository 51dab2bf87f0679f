"""What may go into a header: checked when it is entered, so nothing bad is ever queued.

A name, a subject or an address with CR or LF could start a header of its own (header
injection); an address that is not one would bounce days later, far from whoever typed it.
"""

from __future__ import annotations

from email.headerregistry import Address

from email_validator import EmailNotValidError, validate_email

from app.errors import FieldError, InvalidInput

FORBIDDEN = ("\r", "\n", "\x00")


def clean_header(value: str, *, pointer: str = "/name") -> str:
    """The value as one header line; a line break or NUL in it is refused."""
    if any(c in value for c in FORBIDDEN):
        raise InvalidInput(
            "a line break cannot be part of a name or subject",
            [FieldError(pointer, "contains a line break", "line_break")],
        )
    return value.strip()


def clean_address(value: str, *, pointer: str = "/email") -> str:
    """The address normalised (domain lower-cased), or InvalidInput when it is not one."""
    clean_header(value, pointer=pointer)
    try:
        checked = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidInput(
            f"{value!r} is not an e-mail address: {exc}",
            [FieldError(pointer, "not an e-mail address", "invalid_email")],
        ) from exc
    return str(checked.normalized)


def formatted(name: str, address: str) -> str:
    """`Name <address>` with the name quoted or encoded as the standard asks."""
    local, _, domain = address.rpartition("@")
    return str(Address(display_name=clean_header(name), username=local, domain=domain))
