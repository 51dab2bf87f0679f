"""The clause library and the templates: loading the shipped files, finding what is live."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit import services as audit
from app.errors import InvalidInput
from app.library.files import read_clauses, read_template_packages
from app.library.models import Clause, ClauseVersion, Template, TemplateVersion

APPROVED = "approved"
PUBLISHED = "published"


def import_clauses(session: Session, folder: Path) -> int:
    """Add each clause file whose text differs from the newest version as a new version."""
    added = 0
    for file in read_clauses(folder):
        clause = session.scalar(select(Clause).where(Clause.key == file.key))
        if clause is None:
            clause = Clause(key=file.key, title=file.title)
            session.add(clause)
            session.flush()
        latest = current_clause_version(session, file.key, file.language)
        if latest is not None and latest.sha256 == file.sha256:
            continue
        version = ClauseVersion(
            clause_id=clause.id,
            version=(latest.version + 1) if latest else 1,
            language=file.language,
            status=APPROVED,
            body=file.body,
            sha256=file.sha256,
        )
        session.add(version)
        session.flush()
        audit.record_event(
            session,
            tag="clause.imported",
            subject=version,
            actor=None,
            data={"key": file.key, "version": version.version, "sha256": file.sha256},
        )
        added += 1
    return added


def import_templates(session: Session, folder: Path) -> int:
    added = 0
    for package in read_template_packages(folder):
        template = session.scalar(select(Template).where(Template.key == package.key))
        if template is None:
            template = Template(key=package.key, title=package.title, kind=package.kind)
            session.add(template)
            session.flush()
        latest = current_template_version(session, package.key)
        sha256 = package.sha256
        if latest is not None and latest.sha256 == sha256:
            continue
        version = TemplateVersion(
            template_id=template.id,
            version=(latest.version + 1) if latest else 1,
            status=PUBLISHED,
            sha256=sha256,
        )
        session.add(version)
        session.flush()
        audit.record_event(
            session,
            tag="template.imported",
            subject=version,
            actor=None,
            data={"key": package.key, "version": version.version, "sha256": sha256},
        )
        added += 1
    return added


def current_clause_version(session: Session, key: str, language: str) -> ClauseVersion | None:
    return session.scalar(
        select(ClauseVersion)
        .join(Clause)
        .where(Clause.key == key, ClauseVersion.language == language)
        .where(ClauseVersion.status == APPROVED)
        .order_by(ClauseVersion.version.desc())
        .limit(1)
    )


def current_template_version(session: Session, key: str) -> TemplateVersion | None:
    return session.scalar(
        select(TemplateVersion)
        .join(Template)
        .where(Template.key == key, TemplateVersion.status == PUBLISHED)
        .order_by(TemplateVersion.version.desc())
        .limit(1)
    )


def published_template(session: Session, key: str) -> TemplateVersion:
    version = current_template_version(session, key)
    if version is None:
        known = session.scalars(select(Template.key).order_by(Template.key)).all()
        raise InvalidInput(
            f"unknown template {key!r}; known templates: {', '.join(known) or 'none'}",
        )
    return version
