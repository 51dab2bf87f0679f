"""Legal's pages: the clause library, a version's text and redline, review, where-used;
the templates with their versions and a sample of each."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.documents import renders
from app.errors import DomainError
from app.library import clauses
from app.library.clause_files import LANGUAGES, VariantKey
from app.library.models import ClauseVersion, Template, TemplateVersion
from app.library.templates import package_for
from app.web.context import unit_of_work
from app.web.form_errors import messages_by_field, refusal
from app.web.pages.auth import login_required, signed_in_user

bp = Blueprint("pages_library", __name__, url_prefix="/library")

READERS = ("legal", "manager", "support", "admin")
ACTIONS = ("edit", "submit", "approve", "send-back", "retire")


def _variants(versions: list[ClauseVersion]) -> dict[VariantKey, list[ClauseVersion]]:
    grouped: dict[VariantKey, list[ClauseVersion]] = {}
    for version in versions:
        grouped.setdefault(clauses.variant_of(version), []).append(version)
    return dict(sorted(grouped.items(), key=lambda item: item[0].sort_key))


@bp.get("/clauses")
@login_required(*READERS)
def clause_list() -> str:
    search = request.args.get("q", "").strip()[:200]
    uow = unit_of_work()
    with uow:
        found = clauses.clause_list(uow.session, search)
        return render_template("library/clauses.html", clauses=found, search=search)


def _label(name: str) -> str:
    """A field's label as the library's pages show it, for the error summary."""
    return {
        "language": _("Language"),
        "jurisdiction": _("Jurisdiction (empty: any law)"),
        "position": _("Playbook position"),
        "title": _("Title"),
        "body": _("Text (Markdown)"),
        "comment": _("Comment"),
    }.get(name, name)


def _mistakes(exc: DomainError) -> tuple[dict[str, str], str | None]:
    """A refusal beside the fields it names, else in words for the top of the page."""
    errors = messages_by_field(exc.errors, lambda pointer: pointer.strip("/") or "form")
    return (errors, None) if errors else ({}, refusal(exc))


def _form_state(errors: dict[str, str], refused: str | None) -> dict[str, object]:
    return {
        "errors": errors,
        "labels": {name: _label(name) for name in errors},
        "refused": refused,
        "typed": request.form if errors or refused else {},
    }


@bp.get("/clauses/<key>")
@login_required(*READERS)
def clause(key: str) -> str:
    return _clause_page(key)


def _clause_page(key: str, errors: dict[str, str] | None = None, refused: str | None = None) -> str:
    uow = unit_of_work()
    with uow:
        found = clauses.clause_by_key(uow.session, key)
        return render_template(
            "library/clause.html",
            clause=found,
            variants=_variants(found.versions),
            languages=LANGUAGES,
            **_form_state(errors or {}, refused),
        )


@bp.get("/versions/<uuid:version_id>")
@login_required(*READERS)
def version(version_id: uuid.UUID) -> str:
    return _version_page(version_id)


def _version_page(
    version_id: uuid.UUID, errors: dict[str, str] | None = None, refused: str | None = None
) -> str:
    uow = unit_of_work()
    with uow:
        found = clauses.get_version(uow.session, version_id)
        base, changes = clauses.redline_against_approved(uow.session, version_id)
        return render_template(
            "library/version.html",
            version=found,
            base=base,
            redline=changes,
            uses=clauses.where_used(uow.session, version_id),
            **_form_state(errors or {}, refused),
        )


@bp.post("/clauses/<key>/drafts")
@login_required("legal")
def start_draft(key: str) -> ResponseReturnValue:
    form = request.form
    request_ = clauses.DraftRequest(
        key=key,
        language=form.get("language", ""),
        jurisdiction=form.get("jurisdiction", "").strip(),
        position=form.get("position", "preferred").strip() or "preferred",
        title=form.get("title", "").strip(),
        body=form.get("body", ""),
    )
    uow = unit_of_work()
    try:
        with uow:
            draft = clauses.start_draft(uow.session, request_, actor=signed_in_user())
            uow.commit()
            number, draft_id = draft.version, draft.id
    except DomainError as exc:
        errors, refused = _mistakes(exc)
        return _clause_page(key, errors, refused), 422 if errors else exc.status
    flash(_("Draft version %(version)s started.", version=number))
    return redirect(url_for(".version", version_id=draft_id))


@bp.post("/versions/<uuid:version_id>/<action>")
@login_required("legal")
def act(version_id: uuid.UUID, action: str) -> ResponseReturnValue:
    """Edit a draft, submit it, approve it, send it back or retire it."""
    actor, form = signed_in_user(), request.form
    comment = form.get("comment", "").strip()
    if action not in ACTIONS:
        flash(_("Unknown action %(action)s.", action=repr(action)), "error")
        return redirect(url_for(".version", version_id=version_id))
    uow = unit_of_work()
    try:
        with uow:
            if action == "edit":
                clauses.edit_draft(
                    uow.session,
                    version_id,
                    title=form.get("title", "").strip(),
                    body=form.get("body", ""),
                    actor=actor,
                )
            elif action == "submit":
                clauses.submit_for_review(uow.session, version_id, actor=actor)
            elif action == "approve":
                clauses.approve(uow.session, version_id, actor=actor, comment=comment)
            elif action == "send-back":
                clauses.send_back(uow.session, version_id, actor=actor, comment=comment)
            else:
                clauses.retire(uow.session, version_id, actor=actor)
            uow.commit()
    except DomainError as exc:
        errors, refused = _mistakes(exc)
        return _version_page(version_id, errors, refused), 422 if errors else exc.status
    done = {
        "edit": _("Saved."),
        "submit": _("Submitted for review."),
        "approve": _("Approved."),
        "send-back": _("Sent back to its author."),
        "retire": _("Retired."),
    }
    flash(done[action])
    return redirect(url_for(".version", version_id=version_id))


@bp.get("/templates")
@login_required(*READERS)
def template_list() -> str:
    uow = unit_of_work()
    with uow:
        versions = uow.session.scalars(
            select(TemplateVersion)
            .join(Template)
            .order_by(Template.key, TemplateVersion.version.desc())
        ).all()
        by_template: dict[str, list[TemplateVersion]] = {}
        languages: dict[uuid.UUID, tuple[str, ...]] = {}
        for version in versions:
            by_template.setdefault(version.template.key, []).append(version)
            try:
                package = package_for(version, uow.settings.template_cache_dir)
                languages[version.id] = package.languages
            except DomainError:
                languages[version.id] = ()
        return render_template("library/templates.html", templates=by_template, languages=languages)


@bp.get("/template-versions/<uuid:version_id>/sample.pdf")
@login_required(*READERS)
def template_sample(version_id: uuid.UUID) -> Response:
    """The version's sample data rendered now, in the language asked for: what a document
    made with it looks like, before it is published."""
    uow = unit_of_work()
    with uow:
        version = uow.session.get(TemplateVersion, version_id)
        if version is None:
            abort(404)
        package = package_for(version, uow.settings.template_cache_dir)
        language = request.args.get("language", package.languages[0])
        if language not in package.languages:
            abort(404)
        _, files = renders.render_sample(uow, package, language)
    return Response(
        files["pdf"],
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{package.key}-sample-{language}.pdf"'},
    )
