"""A form's mistakes in a seller's words and the user's language.

The domain and Pydantic describe a mistake for a developer ("Input should be less than or
equal to 100" at `/data/discount_percent`). A page says what to do instead ("Enter a
percentage from 0 to 100."), chosen by what the field holds (its name) and the kind of
mistake (the error's code), and falls back on the catalogue's translation of the domain's
own sentence where neither says more.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask_babel import get_locale
from flask_babel import gettext as _

from app.errors import (
    Conflict,
    ControlRefused,
    DomainError,
    FieldError,
    Forbidden,
    Gone,
    NotFound,
    Unavailable,
)

DATE_FIELDS = frozenset({"valid_until", "start", "end", "effective_date", "new_end_date", "date"})
AMOUNT_FIELDS = frozenset({"unit_price", "price", "discount_amount", "amount"})
WHOLE_NUMBER_CODES = frozenset({"int_parsing", "int_type", "int_from_float"})
LIMIT_CODES = frozenset({"greater_than_equal", "greater_than", "less_than_equal", "less_than"})


def _by_field(name: str, error: FieldError) -> str | None:
    """What to do, for the fields whose meaning decides the words."""
    code, params = error.code, error.params
    if name == "account":
        return _("Choose the customer's account.")
    if name == "currency":
        return _("Choose a currency.")
    if name == "country":
        return _("Enter the country as its two-letter code, e.g. NL.")
    if name == "vat_id":
        return _("Enter a VAT number of the customer's country, e.g. NL123456789B01.")
    if name in {"issn", "eissn"}:
        return _("Enter an ISSN of eight characters, e.g. 0028-0836.")
    if name == "sku":
        if code == "no_list_price":
            return _(
                "This product has no %(year)s list price in %(currency)s: choose another "
                "currency or give a price.",
                year=params.get("year", ""),
                currency=params.get("currency", ""),
            )
        return _("Choose a product from the catalogue.")
    if name.endswith("_percent"):
        return _("Enter a percentage from 0 to 100.")
    if name in AMOUNT_FIELDS:
        if code == "discount_too_large":
            return _("Make the discount smaller than what it discounts.")
        return _("Enter an amount of 0 or more, e.g. 950.00.")
    if name in DATE_FIELDS or code.startswith("date"):
        if code == "date_in_past":
            return _("Choose today or a later day.")
        if code == "outside_term":
            return _(
                "Choose a day from %(start)s to %(end)s.",
                start=params.get("start", ""),
                end=params.get("end", ""),
            )
        return _("Enter a date (day, month and year).")
    if name == "quantity":
        return _("Enter a whole number of 1 or more.")
    return _by_text_field(name, error)


def _by_text_field(name: str, error: FieldError) -> str | None:
    """What to do, for the document page's, the library's and the admin's fields."""
    code, params = error.code, error.params
    if name == "email":
        return _("Enter an email address, e.g. name@example.com.")
    if name == "name" and code in {"required", "missing"}:
        return _("Enter the signer's name.")
    if name == "reason":
        return _("Say why, in a few words.")
    if name == "comment" and code in {"required", "missing"}:
        return _("Say what needs to change.")
    if name == "title":
        if code == "one_line":
            return _("Write the title on one line, without ' | '.")
        return _("Give the clause a title.")
    if name == "body":
        if code == "template_syntax":
            return _(
                "Line %(line)s has a mistake in a {{ }} or {%% %%}: check that each one is "
                "closed and names a known field.",
                line=params.get("line", ""),
            )
        return _("Write the clause's text.")
    if name == "scopes":
        if code == "beyond_role":
            return _(
                "This user's role does not allow %(scopes)s: untick it, or choose another user.",
                scopes=params.get("scopes", ""),
            )
        return _("Tick at least one scope, or none for all the role allows.")
    if name == "period":
        if code == "period_invoiced":
            return _(
                "Period %(period)s is invoiced already: its PO can no longer change.",
                period=params.get("period", ""),
            )
        return _("Choose a period of the contract.")
    if name == "lines":
        return {
            "whole_only": _("A licence is cancelled as a whole: untick every line."),
            "no_such_line": _("Line %(line)s is not on this contract.", line=params.get("line")),
            "line_cancelled": _("Line %(line)s is cancelled already.", line=params.get("line")),
            "line_twice": _("Tick each line once."),
        }.get(code)
    return None


def _by_code(error: FieldError) -> str | None:
    """What to do, from the kind of mistake alone."""
    code, params = error.code, error.params
    if code in {"missing", "required"}:
        return _("Fill in this field.")
    if code in WHOLE_NUMBER_CODES:
        return _("Enter a whole number.")
    if code in LIMIT_CODES:
        limit = next(iter(params.values()), "")
        if code.startswith("greater"):
            return _("Enter %(limit)s or more.", limit=limit)
        return _("Enter %(limit)s or less.", limit=limit)
    if code == "string_too_long":
        return _("Use at most %(count)s characters.", count=params.get("max_length", ""))
    if code == "too_short":
        return _("Add at least %(count)s.", count=params.get("min_length", "1"))
    if code == "too_long":
        return _("Give at most %(count)s.", count=params.get("max_length", ""))
    if code in {"literal_error", "enum", "string_pattern_mismatch"}:
        return _("Choose one of the values offered.")
    if code == "bool_parsing":
        return _("Choose yes or no.")
    return None


def _translated(detail: str) -> str:
    """The domain's sentence where the catalogue translates it; on a page in another
    language than English, never its untranslated English."""
    said = _(detail)
    locale = get_locale()
    if said != detail or locale is None or locale.language == "en":
        return said
    return _("Check what you entered here.")


def say(field: str, error: FieldError) -> str:
    """The message beside `field` (a form field's name: `lines-0-quantity`, `term.start`)."""
    last = field.replace("-", ".").rsplit(".", 1)[-1]
    if last == "lines" and error.code == "too_short":
        return _("Add at least one product.")
    return _by_field(last, error) or _by_code(error) or _translated(error.detail)


def messages_by_field(
    errors: Iterable[FieldError], field_of: Callable[[str], str]
) -> dict[str, str]:
    """Each field's first mistake in words, by form field name; `form` holds a mistake
    that names no field."""
    by_field: dict[str, str] = {}
    for error in errors:
        name = field_of(error.pointer)
        by_field.setdefault(name, say(name, error) if name != "form" else _translated(error.detail))
    return by_field


def refusal(exc: DomainError) -> str:
    """A refusal that names no field, in the user's language: by its code where the
    service gives one, else by its kind. Never the service's English `detail`."""
    by_code = {
        "needs_approval": _("This document needs its approvals before it is sent."),
        "wrong_status": _("This document can no longer be changed or sent as it stands."),
        "not_sent": _("The document is not out for signature."),
        "not_signed": _("Only a signed contract can be cancelled."),
        "not_draft": _("Only a draft can be changed or submitted."),
        "not_in_review": _("This version is not waiting for review."),
        "not_approved": _("Only an approved version can be retired."),
        "open_draft": _("This clause already has a draft or a version in review: edit that one."),
        "own_work": _("You wrote this: another colleague reviews it."),
        "no_receiver": _("No endpoint receives this kind of event."),
    }
    by_rule = {
        "segregation-of-duties": _(
            "You created or changed this document since its last approval: someone else "
            "must approve it."
        ),
        "approval-authority": _("This step needs an approver of a higher rank than yours."),
        "legal-four-eyes": _("You wrote or uploaded this: another lawyer approves it."),
        "one-approval-per-person": _("You have approved a step of this document already."),
    }
    if exc.code in by_code:
        return by_code[exc.code]
    if isinstance(exc, ControlRefused) and exc.rule in by_rule:
        return by_rule[exc.rule]
    if isinstance(exc, Conflict):
        return _("This cannot be done now: the page shows the document as it stands.")
    if isinstance(exc, Forbidden):
        return _("Your role does not allow this.")
    if isinstance(exc, NotFound | Gone):
        return _("This no longer exists.")
    if isinstance(exc, Unavailable):
        return _("A service this needs cannot be reached: try again in a few minutes.")
    return _("This could not be done: check what you entered.")
