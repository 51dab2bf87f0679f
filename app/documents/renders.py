"""Rendering a document's files: every format of a version, dated and marked, and the
template check that renders a package's sample before it is published."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from app.assembly.document import AssembledDocument
from app.db import utcnow
from app.documents import version_inputs
from app.documents.assembling import assemble
from app.documents.contract_data import contract_json
from app.documents.files import store_file
from app.documents.marking import unstored_marks, version_marks
from app.documents.models import READY, RENDERING, Document
from app.documents.resolve import kind_of, parse_data, resolve, with_defaults
from app.errors import InvalidInput
from app.library.template_packages import TemplatePackage
from app.observability.metrics import RENDER_SECONDS
from app.rendering.docx import render_docx
from app.rendering.long_grid_pdf import render_long_grid_pdf
from app.rendering.page_marks import PageMarks
from app.rendering.pdf import Archival
from app.rendering.tables import render_csv, render_xlsx, title_table
from app.titles.kbart import render_kbart
from app.uow import UnitOfWork

log = logging.getLogger(__name__)


def render_files(
    package: TemplatePackage,
    assembled: AssembledDocument,
    marks: PageMarks | None = None,
    archival: Archival | None = None,
) -> dict[str, bytes]:
    """Every file a document is made of: PDF and DOCX, and for title lists XLSX and CSV;
    the PDF's pages carry the marks; a stored version's PDF and DOCX dated by `archival`
    and its PDF carrying the data.

    A template that fails here passed its check with its sample data, so the failure
    depends on this document's data: it is logged for legal, with the file and line, and
    answered to the caller as invalid input."""
    try:
        with RENDER_SECONDS.labels(format="pdf").time():
            files = {
                "pdf": render_long_grid_pdf(
                    package.path, package.html, assembled.context, marks, archival
                )
            }
        with RENDER_SECONDS.labels(format="docx").time():
            files["docx"] = render_docx(
                package.path,
                package.docx,
                assembled.context,
                archival.made_at if archival else None,
            )
    except InvalidInput as exc:
        log.error(
            "template %s failed to render document %s: %s",
            package.key,
            assembled.number,
            exc.detail,
            extra={"template": package.key, "document_number": assembled.number},
        )
        raise
    if package.kind == "title-list":
        table = title_table(assembled.context)
        files["xlsx"] = render_xlsx(table, archival.made_at if archival else None)
        files["csv"] = render_csv(table)
        files["kbart"] = render_kbart(
            assembled.context["title_items"], publisher=assembled.context["seller"]["name"]
        )
    return files


def version_archival(
    document: Document, assembled: AssembledDocument, *, version: int, made_at: datetime
) -> Archival:
    """What pins one version's files: its creation time and the contract's data."""
    data = contract_json(document, assembled, version=version, made_at=made_at)
    return Archival(made_at=made_at, data=data)


def record_version(uow: UnitOfWork, document: Document, version: int) -> datetime:
    """Keep what `version` is made from as the document's record stands now; the time
    returned is the one its files carry inside (so a later render is the same)."""
    made_at = utcnow().replace(microsecond=0)
    version_inputs.record(uow.session, document, version, made_at)
    return made_at


def store_version_files(
    uow: UnitOfWork,
    document: Document,
    package: TemplatePackage,
    assembled: AssembledDocument,
    *,
    version: int,
    made_at: datetime,
) -> None:
    """Render every file of a version, marked and dated by `made_at`, and store them in the
    caller's transaction (discarded again if it does not commit)."""
    marks = version_marks(document, version, uow.settings)
    archival = version_archival(document, assembled, version=version, made_at=made_at)
    for kind, data in render_files(package, assembled, marks, archival).items():
        store_file(uow, document, kind=kind, version=version, data=data, created_at=made_at)


def store_renders(
    uow: UnitOfWork,
    document: Document,
    package: TemplatePackage,
    assembled: AssembledDocument,
    version: int,
) -> PageMarks:
    """Render and store a version of the document now, keeping what it was made from; the
    marks its pages carry (the fingerprint, and whether it is a draft)."""
    made_at = record_version(uow, document, version)
    store_version_files(uow, document, package, assembled, version=version, made_at=made_at)
    return version_marks(document, version, uow.settings)


def make_version(
    uow: UnitOfWork,
    document: Document,
    version: int,
    *,
    render_now: Callable[[], tuple[TemplatePackage, AssembledDocument]] | None,
) -> PageMarks:
    """Make `version`'s files: rendered and stored in this transaction when the caller
    gives what they are made from (`render_now`: callers that already run as jobs), or
    its inputs kept and the render job queued for after the commit. Sets the document's
    render status; the marks its pages carry."""
    document.render_error = None
    if render_now is not None:
        package, assembled = render_now()
        document.render_status = READY
        return store_renders(uow, document, package, assembled, version)
    record_version(uow, document, version)
    document.render_status = RENDERING
    uow.enqueue("documents.render", document_id=str(document.id), version=version)
    return version_marks(document, version, uow.settings)


def render_sample(
    uow: UnitOfWork, package: TemplatePackage, language: str
) -> tuple[AssembledDocument, dict[str, bytes]]:
    """The package's sample data assembled and rendered in one language, storing nothing."""
    issued_on = utcnow().date()
    data = with_defaults(
        uow.settings,
        parse_data(kind_of(package), {**package.sample_data(), "language": language}),
        issued_on,
    )
    resolved = resolve(uow, package, data, issued_on=issued_on)
    assembled = assemble(uow, package, data, resolved, number="SAMPLE-1", issued_on=issued_on)
    marks = unstored_marks("SAMPLE-1", data.model_dump(mode="json"), uow.settings)
    return assembled, render_files(package, assembled, marks)


def check_template_package(uow: UnitOfWork, package: TemplatePackage) -> None:
    """Render the package's sample data to every format in every language it offers,
    with the library's approved clauses: a template that fails here is not published."""
    for language in package.languages:
        try:
            render_sample(uow, package, language)
        except InvalidInput as exc:
            details = "; ".join(
                [exc.detail, *(f"{error.pointer}: {error.detail}" for error in exc.errors)]
            )
            raise InvalidInput(
                f"template {package.key!r} cannot render its sample in {language!r}: {details}",
                exc.errors,
            ) from exc
