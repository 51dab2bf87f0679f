"""Loading the library that ships with the service: `clauses/` and `contract_templates/`."""

from __future__ import annotations

from app.documents.renders import check_template_package
from app.library.clauses import import_clause_folder
from app.library.template_packages import TemplatePackage
from app.library.templates import import_template_folder
from app.uow import UnitOfWork


def load_shipped_library(uow: UnitOfWork, *, check: bool = True) -> tuple[int, int]:
    """Import the clause files, then check and publish each changed template package.

    Runs inside the caller's unit of work; returns the clause versions and template
    versions added. `check=False` publishes without rendering the samples, for callers
    that reload the same shipped files many times (the test suite, whose own tests run
    the check on every shipped package)."""
    settings = uow.settings

    def render_sample(package: TemplatePackage) -> None:
        if check:
            check_template_package(uow, package)

    clauses = import_clause_folder(uow.session, settings.clauses_dir)
    templates = import_template_folder(
        uow.session, settings.templates_dir, settings.template_cache_dir, render_sample
    )
    return clauses, templates
