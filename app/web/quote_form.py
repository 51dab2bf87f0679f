"""The quote form read into quote data, and its mistakes put back beside its fields."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from pydantic import ValidationError
from werkzeug.datastructures import MultiDict

from app.assembly.schemas import QuoteData, SubscriptionPeriod
from app.errors import DomainError, FieldError
from app.validation import field_errors
from app.web.form_errors import messages_by_field

MAX_FORM_LINES = 50


def _lines(form: MultiDict[str, str]) -> list[dict[str, Any]]:
    lines = []
    for index in range(MAX_FORM_LINES):
        sku = form.get(f"lines-{index}-sku", "").strip()
        if not sku:
            continue
        quantity = form.get(f"lines-{index}-quantity", "").strip()
        lines.append(
            {
                "sku": sku,
                "quantity": int(quantity) if quantity.isdigit() else quantity,
                "discount_percent": form.get(f"lines-{index}-discount_percent", "").strip() or "0",
            }
        )
    return lines


def _subscription(form: MultiDict[str, str]) -> dict[str, str] | None:
    """The subscription period typed; none when both dates are left empty (the quote then
    prices the calendar year of its prices)."""
    start = form.get("subscription-start", "").strip()
    end = form.get("subscription-end", "").strip()
    return {"start": start, "end": end} if start or end else None


def blank(today: date) -> dict[str, Any]:
    """A new quote form: euros, and the subscription period a quote made today prices
    unless told otherwise."""
    period = SubscriptionPeriod.calendar_year(today.year)
    return {
        "lines": [],
        "currency": "EUR",
        "subscription": {"start": period.start.isoformat(), "end": period.end.isoformat()},
    }


def form_data(form: MultiDict[str, str]) -> dict[str, Any]:
    """The quote data the form describes, as the API would receive it."""
    return {
        "account": form.get("account", ""),
        "currency": form.get("currency", ""),
        "valid_until": form.get("valid_until") or None,
        "subscription": _subscription(form),
        "discount_percent": form.get("discount_percent", "").strip() or "0",
        "tax_rate_percent": form.get("tax_rate_percent", "").strip() or None,
        "po_number": form.get("po_number", "").strip() or None,
        "notes": form.get("notes", ""),
        "lines": _lines(form),
    }


def field_name(pointer: str) -> str:
    """The form field a JSON pointer names: `/data/lines/0/quantity` -> `lines-0-quantity`;
    the subscription period as a whole (it ends before it starts): its end."""
    name = pointer.removeprefix("/data").strip("/").replace("/", "-") or "form"
    return "subscription-end" if name == "subscription" else name


def _sign(text: str) -> str:
    """A label shared with a template, where Jinja turns its `%%` into `%`."""
    return text.replace("%%", "%")


def label(name: str) -> str:
    """A field's label as the page shows it, for the error summary's links."""
    parts = name.split("-")
    if len(parts) == 3 and parts[0] == "lines" and parts[1].isdigit():
        number = int(parts[1]) + 1
        return {
            "sku": _("Product %(number)d", number=number),
            "quantity": _("Quantity %(number)d", number=number),
            "discount_percent": _("Discount %(number)d", number=number),
            "discount_amount": _("Discount %(number)d", number=number),
        }.get(parts[2], _("Product %(number)d", number=number))
    return {
        "account": _("Account"),
        "currency": _("Currency"),
        "valid_until": _("Valid until"),
        "subscription-start": _("Subscription from"),
        "subscription-end": _("Subscription to"),
        "po_number": _("Customer PO number"),
        "lines": _("Products"),
        "discount_percent": _sign(_("Header discount %%")),
        "discount_amount": _sign(_("Header discount %%")),
        "tax_rate_percent": _sign(_("Tax rate %%")),
        "notes": _("Notes on the quote"),
    }.get(name, name)


def checked(form: MultiDict[str, str]) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    """The form as typed, its data as validated (empty when it has mistakes), and its
    mistakes in words by field."""
    typed = form_data(form)
    try:
        return typed, QuoteData.model_validate(typed).model_dump(mode="json"), {}
    except ValidationError as exc:
        return typed, {}, messages_by_field(field_errors(exc, typed), field_name)


def refused(exc: DomainError) -> dict[str, str]:
    """A refusal by the service (an unknown product, a date passed) in words by field."""
    errors = exc.errors or [FieldError("", exc.detail)]
    return messages_by_field(errors, field_name)
