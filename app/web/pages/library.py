"""Legal's pages: the clause library, a version's text and redline, review, where-used;
the templates with their versions and a sample of each."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.documents import services as documents
from app.errors import DomainError
from app.library import clauses
from app.library.clause_files import LANGUAGES, VariantKey
from app.library.models import ClauseVersion, Template, TemplateVersion
from app.library.templates import package_for
from app.web.context import unit_of_work
from app.web.pages.auth import login_required, signed_in_user

bp = Blueprint("pages_library", __name__, url_prefix="/library")

READERS = ("legal", "manager", "support", "admin")


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


@bp.get("/clauses/<key>")
@login_required(*READERS)
def clause(key: str) -> str:
    uow = unit_of_work()
    with uow:
        found = clauses.clause_by_key(uow.session, key)
        return render_template(
            "library/clause.html",
            clause=found,
            variants=_variants(found.versions),
            languages=LANGUAGES,
        )


@bp.get("/versions/<uuid:version_id>")
@login_required(*READERS)
def version(version_id: uuid.UUID) -> str:
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
        )


@bp.post("/clauses/<key>/drafts")
@login_required("legal")
def start_draft(key: str) -> Response:
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
    with uow:
        try:
            draft = clauses.start_draft(uow.session, request_, actor=signed_in_user())
        except DomainError as exc:
            flash("; ".join([exc.detail, *(e.detail for e in exc.errors)]), "error")
            return redirect(url_for(".clause", key=key))
        uow.commit()
        flash(_("Draft version %(version)s started.", version=draft.version))
        return redirect(url_for(".version", version_id=draft.id))


@bp.post("/versions/<uuid:version_id>/<action>")
@login_required("legal")
def act(version_id: uuid.UUID, action: str) -> Response:
    """Edit a draft, submit it, approve it, send it back or retire it."""
    actor, form = signed_in_user(), request.form
    comment = form.get("comment", "").strip()
    uow = unit_of_work()
    with uow:
        try:
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
            elif action == "retire":
                clauses.retire(uow.session, version_id, actor=actor)
            else:
                flash(_("Unknown action %(action)s.", action=repr(action)), "error")
                return redirect(url_for(".version", version_id=version_id))
            uow.commit()
            done = {
                "edit": _("Saved."),
                "submit": _("Submitted for review."),
                "approve": _("Approved."),
                "send-back": _("Sent back to its author."),
                "retire": _("Retired."),
            }
            flash(done[action])
        except DomainError as exc:
            flash("; ".join([exc.detail, *(e.detail for e in exc.errors)]), "error")
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
        _, files = documents.render_sample(uow, package, language)
    return Response(
        files["pdf"],
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{package.key}-sample-{language}.pdf"'},
    )
