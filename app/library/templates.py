"""Template versions: upload, check, publish, and the package a document renders from."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from jinja2 import TemplateError
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.assembly.sandbox import compile_template, template_problem
from app.audit import services as audit
from app.db import utcnow
from app.errors import (
    Conflict,
    ControlRefused,
    FieldError,
    Forbidden,
    Gone,
    InvalidInput,
    NotFound,
)
from app.library.models import DRAFT, PUBLISHED, RETIRED, Template, TemplateVersion
from app.library.template_packages import (
    TemplatePackage,
    pack,
    package_folders,
    read_template_package,
    unpack,
)
from app.users.models import User

TEMPLATE_ROLES = frozenset({"legal", "admin"})
LEGAL_FOUR_EYES = "legal-four-eyes"

PackageCheck = Callable[[TemplatePackage], None]
"""Renders a package's sample data in every language it offers; raises on any problem."""


def package_for(version: TemplateVersion, cache_dir: Path) -> TemplatePackage:
    """The files of a stored version, unpacked once into the cache and read from there.

    The cache folder is named by the content hash the version recorded, so once it is
    there neither the archive (a deferred column) nor its unpacking is needed again."""
    cached = cache_dir / version.sha256
    if cached.is_dir():
        return _read_package(cached)
    if version.archive is None:
        raise Gone(f"template version {version.id} predates stored archives; it cannot render")
    folder, sha256 = unpack(version.archive, cache_dir)
    if sha256 != version.sha256:
        raise InvalidInput(f"template version {version.id} does not match its recorded hash")
    return _read_package(folder)


@lru_cache(maxsize=64)
def _read_package(folder: Path) -> TemplatePackage:
    """Parsed once per process: a folder named by its content hash never changes."""
    return read_template_package(folder)


def _latest(session: Session, template: Template) -> TemplateVersion | None:
    return session.scalar(
        select(TemplateVersion)
        .where(TemplateVersion.template_id == template.id)
        .order_by(TemplateVersion.version.desc())
        .limit(1)
    )


def published_version(session: Session, key: str) -> TemplateVersion:
    version = session.scalar(
        select(TemplateVersion)
        .join(Template)
        .where(Template.key == key, TemplateVersion.status == PUBLISHED)
    )
    if version is None:
        known = session.scalars(
            select(Template.key)
            .join(TemplateVersion)
            .where(TemplateVersion.status == PUBLISHED)
            .order_by(Template.key)
        ).all()
        raise InvalidInput(
            f"unknown template {key!r}; published templates: {', '.join(known) or 'none'}",
            [FieldError("/template", f"one of {', '.join(known) or 'none'}")],
        )
    return version


def _add_version(
    session: Session,
    package: TemplatePackage,
    archive: bytes,
    sha256: str,
    actor: User | None,
) -> TemplateVersion | None:
    template = session.scalar(select(Template).where(Template.key == package.key))
    if template is None:
        template = Template(key=package.key, title=package.title, kind=package.kind)
        session.add(template)
        session.flush()
    elif template.kind != package.kind:
        raise InvalidInput(
            f"template {package.key!r} makes {template.kind} documents, not {package.kind}"
        )
    latest = _latest(session, template)
    if latest is not None and latest.sha256 == sha256:
        return None
    version = TemplateVersion(
        template_id=template.id,
        version=latest.version + 1 if latest else 1,
        status=DRAFT,
        sha256=sha256,
        archive=archive,
        uploaded_by_id=actor.id if actor else None,
    )
    session.add(version)
    session.flush()
    return version


def _publish(session: Session, version: TemplateVersion, actor: User | None) -> None:
    for previous in session.scalars(
        select(TemplateVersion).where(
            TemplateVersion.template_id == version.template_id,
            TemplateVersion.status == PUBLISHED,
        )
    ).all():
        previous.status = RETIRED
    version.status = PUBLISHED
    version.published_at = utcnow()
    version.published_by_id = actor.id if actor else None
    session.flush()
    session.expire(version, ["published_by"])
    audit.record_event(
        session,
        tag="template.published",
        subject=version,
        actor=actor,
        data={
            "key": version.template.key,
            "version": version.version,
            "sha256": version.sha256,
        },
    )


def import_template_folder(
    session: Session, root: Path, cache_dir: Path, check: PackageCheck
) -> int:
    """Check and publish every shipped package whose files changed since its last version."""
    added = 0
    for folder in package_folders(root):
        archive, sha256 = pack(folder)
        package = read_template_package(folder)
        version = _add_version(session, package, archive, sha256, None)
        if version is None:
            continue
        check(package_for(version, cache_dir))
        _publish(session, version, None)
        added += 1
    return added


def _compile_html(package: TemplatePackage) -> None:
    """Refuse at once an HTML template the sandbox cannot compile, naming file and line;
    whether it renders is checked before publishing."""
    try:
        compile_template((package.path / package.html).read_text(encoding="utf-8"))
    except TemplateError as exc:
        raise template_problem(exc, package.html) from exc


def upload_version(
    session: Session, archive: bytes, *, cache_dir: Path, actor: User
) -> TemplateVersion:
    """Store an uploaded package (a zip) as a draft version; its manifest must be sound."""
    if actor.role not in TEMPLATE_ROLES:
        raise Forbidden(f"a {actor.role} user cannot upload templates")
    folder, sha256 = unpack(archive, cache_dir)
    try:
        package = read_template_package(folder)
        _compile_html(package)
    except InvalidInput:
        known = session.scalar(select(TemplateVersion.id).where(TemplateVersion.sha256 == sha256))
        if known is None:  # leave nothing of a refused upload behind
            shutil.rmtree(folder, ignore_errors=True)
        raise
    version = _add_version(session, package, archive, sha256, actor)
    if version is None:
        raise Conflict(f"template {package.key!r} already has a version with exactly these files")
    audit.record_event(
        session,
        tag="template.uploaded",
        subject=version,
        actor=actor,
        data={"key": package.key, "version": version.version, "sha256": sha256},
    )
    return version


def publish_version(
    session: Session,
    version_id: uuid.UUID,
    *,
    cache_dir: Path,
    check: PackageCheck,
    actor: User,
) -> TemplateVersion:
    """Check a draft (it compiles and renders its sample data) and make it the live one."""
    if actor.role != "legal":
        raise ControlRefused(
            f"a {actor.role} user cannot publish templates; a second legal user checks and "
            "publishes what another uploaded",
            rule=LEGAL_FOUR_EYES,
        )
    version = session.scalar(
        select(TemplateVersion)
        .where(TemplateVersion.id == version_id)
        .with_for_update(of=TemplateVersion)
    )
    if version is None:
        raise NotFound(f"no template version {version_id}")
    if version.status != DRAFT:
        raise Conflict(f"version {version.version} is {version.status}, not a draft")
    if version.uploaded_by_id == actor.id:
        raise ControlRefused(
            "the uploader of a template version cannot publish it; ask another legal user",
            rule=LEGAL_FOUR_EYES,
        )
    check(package_for(version, cache_dir))
    _publish(session, version, actor)
    return version
