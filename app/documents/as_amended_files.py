"""The licence as amended as a PDF and a DOCX, in the licence's language: the service's
own layout (not a template package), with its labels beside it (templates/as_amended.yaml)
and dates and money written as the language writes them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from app.assembly.document import LOCALES, Formatter
from app.rendering.docx import render_docx
from app.rendering.page_marks import PageMarks, version_digest
from app.rendering.page_marks import labels_for as marks_labels
from app.rendering.pdf import render_own_pdf

_TEMPLATES = Path(__file__).parent / "templates"


@cache
def labels() -> dict[str, dict[str, str]]:
    """The labels by language."""
    loaded: dict[str, dict[str, str]] = yaml.safe_load(
        (_TEMPLATES / "as_amended.yaml").read_text(encoding="utf-8")
    )
    return loaded


def _day(value: date | str) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def as_amended_context(view: dict[str, Any], *, today: date) -> dict[str, Any]:
    """Pure: the view (app.documents.as_amended) written out in the licence's language."""
    licence = view["licence"]
    language = licence["language"] if licence["language"] in labels() else "en"
    label = labels()[language]
    fmt = Formatter(LOCALES[language], licence["currency"])

    def day(value: date | str | None) -> str:
        return fmt.date(_day(value)) if value else ""

    def money(amount: str) -> str:
        return fmt.money(Decimal(amount))

    in_force = view["titles_in_force"]
    return {
        "label": label,
        "language": language,
        "title": label["title"].format(number=licence["number"]),
        "lead": label["lead"].format(customer=licence["customer"]),
        "footer": label["footer"].format(number=licence["number"], date=day(today)),
        "signed_on": day(licence["signed_on"]),
        "term": label["term_value"].format(start=day(licence["start"]), end=day(licence["end"]))
        + (
            " " + label["originally"].format(date=day(licence["original_end"]))
            if licence["end"] != licence["original_end"]
            else ""
        ),
        "in_force": ", ".join(
            label["effective"].format(number=a["number"], date=day(a["effective_date"]))
            for a in view["amendments"]
        )
        or label["none"],
        "invoicing": label.get(f"invoice_periods_{licence['invoicing']}", licence["invoicing"]),
        "contract_value": money(view["contract_value"]),
        "value_as_signed": label["value_as_signed"].format(value=money(view["original_value"])),
        "periods": [_period(period, label, fmt) for period in view["periods"]],
        "amendments": [
            {
                "number": a["number"],
                "signed_on": day(a["signed_on"]),
                "effective_date": day(a["effective_date"]),
                "titles_added": fmt.number(a["titles_added"]),
                "titles_removed": fmt.number(a["titles_removed"]),
                "products_added": fmt.number(a["products_added"]),
                "new_end_date": day(a["new_end_date"]),
                "net": money(a["net"]),
            }
            for a in view["amendments"]
        ],
        "titles_heading": label["titles_in_force"].format(year=in_force["year"]),
        "titles_source": (
            label["from_list"].format(
                number=in_force["number"], version=in_force["version"], year=in_force["year"]
            )
            if in_force["source"] == "list"
            else label["from_licence"].format(year=in_force["year"])
        ),
        "titles": [
            {
                "n": n,
                "title": t["title"],
                "added_by": label["added_by"].format(number=t["added_by"]) if t["added_by"] else "",
                "issn": t["issn"] or "",
                "eissn": t["eissn"] or "",
                "subject": t["subject"],
                "price": money(t["price"]) if t["price"] is not None else "",
            }
            for n, t in enumerate(view["titles"], start=1)
        ],
        "titles_removed": [
            {"title": t["title"], "issn": t["issn"] or "", "removed_by": t["removed_by"]}
            for t in view["titles_removed"]
        ],
    }


def _period(period: dict[str, Any], label: dict[str, str], fmt: Formatter) -> dict[str, Any]:
    def money(amount: str) -> str:
        return fmt.money(Decimal(amount))

    start, end = _day(period["start"]), _day(period["end"])
    return {
        "heading": label["period_heading"].format(
            number=period["number"],
            start=fmt.date(start),
            end=fmt.date(end),
            invoice_on=fmt.date(_day(period["invoice_on"])),
        ),
        "lines": [
            {
                "n": n,
                "description": line["description"],
                "sku": line["sku"] or "",
                "source": line["source"],
                "charged": ""
                if (_day(line["charged_start"]), _day(line["charged_end"])) == (start, end)
                else label["charged"].format(
                    start=fmt.date(_day(line["charged_start"])),
                    end=fmt.date(_day(line["charged_end"])),
                ),
                "quantity": fmt.number(line["quantity"]),
                "unit_price": money(line["unit_price"]),
                "discount": _discount(line, fmt),
                "amount": money(line["amount"]),
            }
            for n, line in enumerate(period["lines"], start=1)
        ],
        "net": money(period["net"]),
        "taxes": [
            {"rate": fmt.percent(Decimal(band["rate_percent"])), "tax": money(band["tax"])}
            for band in period["taxes"]
        ],
        "total": money(period["total"]),
        "original": money(period["original_net"]),
        "changes": [
            {
                "label": label["changed_by"].format(number=change["amendment"]),
                "net": _signed(Decimal(change["net"]), fmt),
            }
            for change in period["changes"]
        ],
    }


def _discount(line: dict[str, Any], fmt: Formatter) -> str:
    """A line's discount as given: a percent, or the amount taken off."""
    if Decimal(line["discount_percent"]):
        return fmt.percent(Decimal(line["discount_percent"]))
    off = Decimal(line["discount"])
    return "− " + fmt.money(off) if off else ""


def _signed(amount: Decimal, fmt: Formatter) -> str:
    return ("+ " if amount > 0 else "− ") + fmt.money(abs(amount))


def render_as_amended_pdf(view: dict[str, Any], *, today: date) -> bytes:
    """The PDF; its pages carry the licence's number, how many amendments it shows and a
    fingerprint of the view it was made from."""
    context = as_amended_context(view, today=today)
    language = context["language"]
    marks = PageMarks(
        reference=view["licence"]["number"],
        version=marks_labels(language)["as_amended"].format(count=len(view["amendments"])),
        digest=version_digest({"as_amended": view, "today": today}),
        language=language,
        draft=False,
    )
    return render_own_pdf(_TEMPLATES, "as_amended.html", context, marks=marks)


def render_as_amended_docx(view: dict[str, Any], *, today: date) -> bytes:
    return render_docx(_TEMPLATES, "as_amended.docx", as_amended_context(view, today=today))
