"""What a create would make of the data, shown before anything is numbered or stored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from app.assembly.quote import valid_until
from app.assembly.schemas import QuoteData
from app.db import utcnow
from app.documents.assembling import assemble, package_for_version, required_approvals
from app.documents.marking import unstored_marks
from app.documents.resolve import kind_of, parse_data, resolve, with_defaults
from app.library.templates import published_version
from app.rendering.pdf import render_pdf
from app.uow import UnitOfWork


@dataclass(frozen=True)
class Preview:
    """What a create would make of the data, without rendering or storing anything."""

    record: dict[str, Any]
    """The figures as a document keeps them: totals, lines, per-year amounts, tax."""
    approvals: list[dict[str, Any]]
    issued_on: date
    valid_until: date | None

    @property
    def years(self) -> list[dict[str, Any]]:
        """Each year of the term with its figures; a document without a term has one."""
        single = {k: self.record[k] for k in ("subtotal", "discount", "tax", "total")}
        return self.record.get("years") or [
            {"year": 1, "starts": self.issued_on.isoformat(), **single}
        ]


def preview(uow: UnitOfWork, *, template: str, data: Any) -> Preview:
    """Totals, per-year figures and required approvals, computed exactly as a create
    would compute them; nothing is rendered, stored or numbered."""
    with uow:
        package = package_for_version(uow, published_version(uow.session, template))
        issued_on = utcnow().date()
        parsed = with_defaults(uow.settings, parse_data(kind_of(package), data), issued_on)
        resolved = resolve(uow, package, parsed, issued_on=issued_on)
        assembled = assemble(uow, package, parsed, resolved, number="PREVIEW", issued_on=issued_on)
        return Preview(
            record=assembled.record,
            approvals=required_approvals(uow, parsed, assembled, issued_on),
            issued_on=issued_on,
            valid_until=valid_until(parsed, issued_on) if isinstance(parsed, QuoteData) else None,
        )


def preview_pdf(uow: UnitOfWork, *, template: str, data: Any) -> bytes:
    """The PDF a create would make of the data, marked PREVIEW instead of a number; nothing
    is stored or numbered (for a look before generating)."""
    with uow:
        package = package_for_version(uow, published_version(uow.session, template))
        issued_on = utcnow().date()
        parsed = with_defaults(uow.settings, parse_data(kind_of(package), data), issued_on)
        resolved = resolve(uow, package, parsed, issued_on=issued_on)
        assembled = assemble(uow, package, parsed, resolved, number="PREVIEW", issued_on=issued_on)
        marks = unstored_marks("PREVIEW", parsed.model_dump(mode="json"), uow.settings)
    return render_pdf(package.path, package.html, assembled.context, marks)
