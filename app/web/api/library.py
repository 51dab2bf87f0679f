"""The clause library and template API: legal drafts, reviews and publishes here."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from apiflask import APIBlueprint
from flask import request
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit import services as audit
from app.documents.renders import check_template_package
from app.documents.resolve import data_schema
from app.errors import ControlRefused, InvalidInput, NotFound
from app.library import clauses
from app.library import templates as template_versions
from app.library.models import ClauseVersion, Template, TemplateVersion
from app.uow import UnitOfWork
from app.users import scopes
from app.users.models import User
from app.web.api.auth import auth, current_user
from app.web.context import unit_of_work
from app.web.hygiene import small_body
from app.web.schemas.library import (
    ClauseListOut,
    ClauseOut,
    ClauseVersionOut,
    DraftEditIn,
    DraftIn,
    RedlineOut,
    ReviewIn,
    TemplateListOut,
    TemplateSchemaOut,
    TemplateVersionOut,
    WhereUsedOut,
)

bp = APIBlueprint("api_library", __name__, url_prefix="/api/v1", tag="Clause library")


def _changed(change: Callable[[Session, User], ClauseVersion]) -> dict[str, Any]:
    """Apply one workflow step as the caller, commit, answer with the version."""
    uow = unit_of_work()
    try:
        with uow:
            version = change(uow.session, current_user())
            uow.commit()
            return version_out(version)
    except ControlRefused as refusal:
        _audit_refusal(uow, refusal)
        raise


def _audit_refusal(uow: UnitOfWork, refusal: ControlRefused) -> None:
    """A refused step changes nothing but is on record: who tried what, and which control."""
    version_id = request.view_args.get("version_id") if request.view_args else None
    with uow:
        subject: ClauseVersion | TemplateVersion | None = (
            uow.session.get(TemplateVersion, version_id)
            if "template" in request.path
            else uow.session.get(ClauseVersion, version_id)
        )
        if subject is not None:
            audit.record_event(
                uow.session,
                tag="library.refused",
                subject=subject,
                actor=current_user(),
                data={"rule": refusal.rule, "detail": refusal.detail, "path": request.path},
            )
            uow.commit()


def version_out(version: ClauseVersion) -> dict[str, Any]:
    return {
        "id": version.id,
        "key": version.clause.key,
        "version": version.version,
        "language": version.language,
        "jurisdiction": version.jurisdiction,
        "position": version.position,
        "status": version.status,
        "title": version.title,
        "body": version.body,
        "sha256": version.sha256,
        "author": version.author.email if version.author else None,
        "approved_by": version.approved_by.email if version.approved_by else None,
        "approved_at": version.approved_at,
        "review_comment": version.review_comment,
        "created_at": version.created_at,
    }


@bp.get("/clauses")
@bp.auth_required(auth, roles=[scopes.READ])
@bp.output(ClauseListOut)
@bp.doc(summary="The clause library; `search` matches keys, titles and text")
def list_clauses() -> dict[str, Any]:
    uow = unit_of_work()
    with uow:
        found = clauses.clause_list(uow.session, request.args.get("search", "")[:200])
        return {
            "clauses": [
                {"key": c.key, "title": c.title, "versions": [version_out(v) for v in c.versions]}
                for c in found
            ]
        }


@bp.get("/clauses/<key>")
@bp.auth_required(auth, roles=[scopes.READ])
@bp.output(ClauseOut)
@bp.doc(summary="A clause with every version of every variant", responses=[404])
def get_clause(key: str) -> dict[str, Any]:
    uow = unit_of_work()
    with uow:
        clause = clauses.clause_by_key(uow.session, key)
        return {
            "key": clause.key,
            "title": clause.title,
            "versions": [version_out(v) for v in clause.versions],
        }


@bp.post("/clause-drafts")
@bp.auth_required(auth, roles=[scopes.WRITE])
@bp.input(DraftIn)
@bp.output(ClauseVersionOut, status_code=201)
@bp.doc(summary="Start a draft version of a clause variant (legal)", responses=[403, 409, 422])
def start_draft(json_data: DraftIn) -> tuple[dict[str, Any], int]:
    request_ = clauses.DraftRequest(**json_data.model_dump())
    return _changed(lambda session, actor: clauses.start_draft(session, request_, actor=actor)), 201


@bp.get("/clause-versions/<uuid:version_id>")
@bp.auth_required(auth, roles=[scopes.READ])
@bp.output(ClauseVersionOut)
@bp.doc(summary="One clause version", responses=[404])
def get_version(version_id: uuid.UUID) -> dict[str, Any]:
    uow = unit_of_work()
    with uow:
        return version_out(clauses.get_version(uow.session, version_id))


@bp.put("/clause-versions/<uuid:version_id>")
@bp.auth_required(auth, roles=[scopes.WRITE])
@bp.input(DraftEditIn)
@bp.output(ClauseVersionOut)
@bp.doc(summary="Change a draft's title and text (legal)", responses=[403, 404, 409, 422])
def edit_draft(version_id: uuid.UUID, json_data: DraftEditIn) -> dict[str, Any]:
    return _changed(
        lambda session, actor: clauses.edit_draft(
            session, version_id, title=json_data.title, body=json_data.body, actor=actor
        )
    )


@bp.post("/clause-versions/<uuid:version_id>/submit")
@bp.auth_required(auth, roles=[scopes.WRITE])
@bp.output(ClauseVersionOut)
@bp.doc(summary="Send a draft for review by another lawyer", responses=[403, 404, 409])
def submit(version_id: uuid.UUID) -> dict[str, Any]:
    return _changed(
        lambda session, actor: clauses.submit_for_review(session, version_id, actor=actor)
    )


@bp.post("/clause-versions/<uuid:version_id>/approve")
@bp.auth_required(auth, roles=[scopes.WRITE])
@bp.input(ReviewIn)
@bp.output(ClauseVersionOut)
@bp.doc(
    summary="Approve a version in review; not by its author. The previous text retires",
    responses=[403, 404, 409],
)
@small_body
def approve(version_id: uuid.UUID, json_data: ReviewIn) -> dict[str, Any]:
    return _changed(
        lambda session, actor: clauses.approve(
            session, version_id, actor=actor, comment=json_data.comment
        )
    )


@bp.post("/clause-versions/<uuid:version_id>/send-back")
@bp.auth_required(auth, roles=[scopes.WRITE])
@bp.input(ReviewIn)
@bp.output(ClauseVersionOut)
@bp.doc(summary="Return a version in review to its author as a draft", responses=[403, 409, 422])
@small_body
def send_back(version_id: uuid.UUID, json_data: ReviewIn) -> dict[str, Any]:
    return _changed(
        lambda session, actor: clauses.send_back(
            session, version_id, actor=actor, comment=json_data.comment
        )
    )


@bp.post("/clause-versions/<uuid:version_id>/retire")
@bp.auth_required(auth, roles=[scopes.WRITE])
@bp.output(ClauseVersionOut)
@bp.doc(summary="Withdraw an approved text from new documents", responses=[403, 404, 409])
def retire(version_id: uuid.UUID) -> dict[str, Any]:
    return _changed(lambda session, actor: clauses.retire(session, version_id, actor=actor))


@bp.get("/clause-versions/<uuid:version_id>/redline")
@bp.auth_required(auth, roles=[scopes.READ])
@bp.output(RedlineOut)
@bp.doc(summary="Word-level changes against the variant's approved text", responses=[404])
def redline(version_id: uuid.UUID) -> dict[str, Any]:
    uow = unit_of_work()
    with uow:
        base, changes = clauses.redline_against_approved(uow.session, version_id)
        return {
            "version_id": version_id,
            "base_version_id": base.id if base else None,
            "base_version": base.version if base else None,
            "insertions": changes.insertions,
            "deletions": changes.deletions,
            "html": changes.html(),
            "changes": [{"op": c.op, "text": c.text} for c in changes.changes],
        }


@bp.get("/clause-versions/<uuid:version_id>/where-used")
@bp.auth_required(auth, roles=[scopes.READ])
@bp.output(WhereUsedOut)
@bp.doc(summary="The documents and signed contracts that contain this version", responses=[404])
def where_used(version_id: uuid.UUID) -> dict[str, Any]:
    uow = unit_of_work()
    with uow:
        uses = clauses.where_used(uow.session, version_id)
        return {"version_id": version_id, "documents": [use.__dict__ for use in uses]}


def template_version_out(version: TemplateVersion) -> dict[str, Any]:
    return {
        "id": version.id,
        "key": version.template.key,
        "version": version.version,
        "status": version.status,
        "sha256": version.sha256,
        "published_at": version.published_at,
        "published_by": version.published_by.email if version.published_by else None,
        "created_at": version.created_at,
    }


@bp.get("/templates")
@bp.auth_required(auth, roles=[scopes.READ])
@bp.output(TemplateListOut)
@bp.doc(summary="Every version of every template", tags=["Templates"])
def list_templates() -> dict[str, Any]:
    uow = unit_of_work()
    with uow:
        versions = uow.session.scalars(
            select(TemplateVersion).join(Template).order_by(Template.key, TemplateVersion.version)
        ).all()
        return {"templates": [template_version_out(v) for v in versions]}


@bp.get("/templates/<key>/schema")
@bp.auth_required(auth, roles=[scopes.READ])
@bp.output(TemplateSchemaOut)
@bp.doc(
    summary="The data a published template takes: its kind's JSON Schema and its languages",
    tags=["Templates"],
    responses=[404],
)
def template_schema(key: str) -> dict[str, Any]:
    uow = unit_of_work()
    with uow:
        try:
            version = template_versions.published_version(uow.session, key)
        except InvalidInput as exc:
            raise NotFound(exc.detail) from exc
        package = template_versions.package_for(version, uow.settings.template_cache_dir)
        schema = data_schema(package)
        schema["title"] = f"{package.title} ({key}, version {version.version})"
        return {
            "key": key,
            "version": version.version,
            "kind": package.kind,
            "languages": list(package.languages),
            "schema": schema,
        }


@bp.post("/templates")
@bp.auth_required(auth, roles=[scopes.WRITE])
@bp.output(TemplateVersionOut, status_code=201)
@bp.doc(
    summary="Upload a template package (a zip, as the request body) as a draft version",
    tags=["Templates"],
    responses=[403, 409, 413, 422],
)
def upload_template() -> tuple[dict[str, Any], int]:
    uow = unit_of_work()
    with uow:
        version = template_versions.upload_version(
            uow.session,
            request.get_data(cache=False),
            cache_dir=uow.settings.template_cache_dir,
            actor=current_user(),
        )
        uow.commit()
        return template_version_out(version), 201


@bp.post("/template-versions/<uuid:version_id>/publish")
@bp.auth_required(auth, roles=[scopes.WRITE])
@bp.output(TemplateVersionOut)
@bp.doc(
    summary="Check a draft template (renders its sample in every language) and publish it",
    tags=["Templates"],
    responses=[403, 404, 409, 422],
)
def publish_template(version_id: uuid.UUID) -> dict[str, Any]:
    uow = unit_of_work()
    try:
        with uow:
            version = template_versions.publish_version(
                uow.session,
                version_id,
                cache_dir=uow.settings.template_cache_dir,
                check=lambda package: check_template_package(uow, package),
                actor=current_user(),
            )
            uow.commit()
            return template_version_out(version)
    except ControlRefused as refusal:
        _audit_refusal(uow, refusal)
        raise
