"""Why a document needs an approval, said in the page's language from the reason's code
and figures (the matrix keeps reasons structured for this)."""

from __future__ import annotations

from typing import Any

from apiflask import APIFlask
from flask_babel import gettext as _
from flask_babel import ngettext

from app.web.formatting import money, percent


def reason_text(reason: dict[str, Any]) -> str:
    code, figures = reason.get("code"), reason.get("figures", {})
    if code == "discount-above":
        if figures.get("line"):
            return _(
                "effective discount %(discount)s on line %(line)s, above %(threshold)s",
                discount=percent(figures["discount_percent"]),
                line=figures["line"],
                threshold=percent(figures["threshold"]),
            )
        return _(
            "effective discount %(discount)s on the whole document, above %(threshold)s",
            discount=percent(figures["discount_percent"]),
            threshold=percent(figures["threshold"]),
        )
    if code == "value-above":
        base = figures["base_currency"]
        figure = _("whole term") if figures.get("figure") == "term" else _("largest year")
        return _(
            "net value %(value)s (%(figure)s, without VAT) above %(threshold)s, "
            "at %(rate)s %(base)s per %(currency)s",
            value=money(figures["base_value"], base),
            figure=figure,
            threshold=money(figures["threshold"], base),
            rate=figures["rate"],
            base=base,
            currency=figures["currency"],
        )
    if code == "term-above":
        return ngettext(
            "a term of %(num)d year, more than %(threshold)s",
            "a term of %(num)d years, more than %(threshold)s",
            int(figures["years"]),
            threshold=figures["threshold"],
        )
    if code == "non-standard":
        return _("non-standard clauses: %(clauses)s", clauses="; ".join(figures["clauses"]))
    return str(reason.get("text", code))


def rule_text(rule: dict[str, Any]) -> str:
    """Every reason of a required approval; an approval stored before reasons were kept
    structured shows its recorded sentence."""
    reasons = rule.get("reasons")
    if not reasons:
        return str(rule.get("reason", ""))
    return "; ".join(reason_text(reason) for reason in reasons)


def init_app(app: APIFlask) -> None:
    app.jinja_env.globals["approval_reason"] = rule_text
