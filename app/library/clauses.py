"""The clause library's workflow: drafts, review by a second lawyer, approval, retirement;
import and export of the library as files; the variant a document uses; where-used."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from jinja2 import TemplateSyntaxError
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.assembly.sandbox import compile_template
from app.audit import services as audit
from app.db import utcnow
from app.documents.models import SIGNED, Document, DocumentClause
from app.errors import Conflict, ControlRefused, FieldError, Forbidden, InvalidInput, NotFound
from app.library.clause_files import (
    KEY_PATTERN,
    LANGUAGES,
    POSITION_PATTERN,
    PREFERRED,
    ClauseVariant,
    VariantKey,
    format_clause_file,
    read_clause_folder,
    text_sha256,
)
from app.library.models import APPROVED, DRAFT, IN_REVIEW, RETIRED, Clause, ClauseVersion
from app.library.redline import Redline, redline
from app.users.models import User

LEGAL_ROLES = frozenset({"legal"})


def variant_of(version: ClauseVersion) -> VariantKey:
    return VariantKey(version.language, version.jurisdiction, version.position)


def _require_legal(actor: User, action: str) -> None:
    if actor.role not in LEGAL_ROLES:
        raise Forbidden(f"only legal can {action}; you are {actor.role}")


def _check_text(title: str, body: str) -> None:
    """Refuse text that the sandbox cannot compile, naming the line."""
    errors = []
    if not title.strip():
        errors.append(FieldError("/title", "a clause needs a title", "required"))
    elif " | " in title or "\n" in title:
        errors.append(FieldError("/title", "a title is one line without ' | '", "one_line"))
    if not body.strip():
        errors.append(FieldError("/body", "a clause needs text", "required"))
    else:
        try:
            compile_template(body, autoescape=False, markdown=True)
        except TemplateSyntaxError as exc:
            errors.append(
                FieldError(
                    "/body",
                    f"line {exc.lineno}: {exc.message}",
                    "template_syntax",
                    {"line": str(exc.lineno)},
                )
            )
    if errors:
        raise InvalidInput("the clause text cannot be used", errors)


def _versions_of(session: Session, clause: Clause, variant: VariantKey) -> list[ClauseVersion]:
    return list(
        session.scalars(
            select(ClauseVersion)
            .where(
                ClauseVersion.clause_id == clause.id,
                ClauseVersion.language == variant.language,
                ClauseVersion.jurisdiction == variant.jurisdiction,
                ClauseVersion.position == variant.position,
            )
            .order_by(ClauseVersion.version)
        ).all()
    )


def _approved(versions: list[ClauseVersion]) -> ClauseVersion | None:
    return next((v for v in reversed(versions) if v.status == APPROVED), None)


def clause_by_key(session: Session, key: str) -> Clause:
    clause = session.scalar(select(Clause).where(Clause.key == key))
    if clause is None:
        raise NotFound(f"no clause {key!r}")
    return clause


def get_version(session: Session, version_id: uuid.UUID, *, lock: bool = False) -> ClauseVersion:
    query = select(ClauseVersion).where(ClauseVersion.id == version_id)
    if lock:
        query = query.with_for_update(of=ClauseVersion)
    version = session.scalar(query)
    if version is None:
        raise NotFound(f"no clause version {version_id}")
    return version


def _record(
    session: Session, tag: str, version: ClauseVersion, actor: User | None, **data: object
) -> None:
    audit.record_event(
        session,
        tag=tag,
        subject=version,
        actor=actor,
        data={
            "key": version.clause.key,
            "variant": variant_of(version).describe(),
            "version": version.version,
            "sha256": version.sha256,
            **data,
        },
    )


# --- import and export -----------------------------------------------------------------


def import_clause_folder(session: Session, folder: Path) -> int:
    """Add every variant whose text differs from its approved version, as approved.

    The files are legal's reviewed source (kept in git, reviewed there), so an import is
    an approval by whoever runs it; each added version is audited as imported."""
    added = 0
    for file in read_clause_folder(folder):
        clause = session.scalar(select(Clause).where(Clause.key == file.key))
        if clause is None:
            clause = Clause(key=file.key, title=_default_title(file.variants))
            session.add(clause)
            session.flush()
        for text in file.variants:
            versions = _versions_of(session, clause, text.variant)
            current = _approved(versions)
            if current is not None and current.sha256 == text.sha256:
                continue
            if current is not None:
                current.status = RETIRED
            version = ClauseVersion(
                clause_id=clause.id,
                version=versions[-1].version + 1 if versions else 1,
                language=text.variant.language,
                jurisdiction=text.variant.jurisdiction,
                position=text.variant.position,
                status=APPROVED,
                title=text.title,
                body=text.body,
                sha256=text.sha256,
                approved_at=utcnow(),
            )
            session.add(version)
            session.flush()
            _record(session, "clause.imported", version, None)
            added += 1
    return added


def _default_title(variants: tuple[ClauseVariant, ...]) -> str:
    preferred = [v for v in variants if v.variant.position == PREFERRED]
    english = [v for v in preferred if v.variant.language == "en"]
    return (english or preferred or list(variants))[0].title


def approved_variants(session: Session) -> dict[str, list[ClauseVariant]]:
    """Every clause's approved texts, by clause key."""
    library: dict[str, list[ClauseVariant]] = {}
    for version in session.scalars(
        select(ClauseVersion).where(ClauseVersion.status == APPROVED)
    ).all():
        library.setdefault(version.clause.key, []).append(
            ClauseVariant(variant_of(version), version.title, version.body)
        )
    return library


def export_clause_folder(session: Session, folder: Path) -> int:
    """Write the approved library as clause files, one per clause, in canonical form."""
    folder.mkdir(parents=True, exist_ok=True)
    library = approved_variants(session)
    for key, variants in sorted(library.items()):
        (folder / f"{key}.md").write_text(format_clause_file(key, variants), encoding="utf-8")
    return len(library)


# --- the review workflow ---------------------------------------------------------------


@dataclass(frozen=True)
class DraftRequest:
    key: str
    language: str
    title: str
    body: str
    jurisdiction: str = ""
    position: str = PREFERRED


def _check_variant(request: DraftRequest) -> VariantKey:
    errors = []
    if not KEY_PATTERN.match(request.key):
        errors.append(FieldError("/key", "lower-case words joined by '-', e.g. payment-terms"))
    if request.language not in LANGUAGES:
        errors.append(FieldError("/language", f"one of {', '.join(LANGUAGES)}"))
    if request.jurisdiction and not KEY_PATTERN.match(request.jurisdiction):
        errors.append(FieldError("/jurisdiction", "a lower-case code, e.g. england-wales"))
    if not POSITION_PATTERN.match(request.position):
        errors.append(FieldError("/position", "'preferred' or 'fallback-N'"))
    if errors:
        raise InvalidInput("the clause variant is not valid", errors)
    return VariantKey(request.language, request.jurisdiction, request.position)


def start_draft(session: Session, request: DraftRequest, *, actor: User) -> ClauseVersion:
    """A new draft version of a variant (or of a new clause or variant)."""
    _require_legal(actor, "draft clauses")
    variant = _check_variant(request)
    _check_text(request.title, request.body)
    clause = session.scalar(select(Clause).where(Clause.key == request.key))
    if clause is None:
        clause = Clause(key=request.key, title=request.title)
        session.add(clause)
        session.flush()
    versions = _versions_of(session, clause, variant)
    open_work = [v for v in versions if v.status in {DRAFT, IN_REVIEW}]
    if open_work:
        raise Conflict(
            f"clause {request.key!r} ({variant.describe()}) already has version "
            f"{open_work[0].version} in {open_work[0].status}; edit that one",
            code="open_draft",
        )
    version = ClauseVersion(
        clause_id=clause.id,
        version=versions[-1].version + 1 if versions else 1,
        language=variant.language,
        jurisdiction=variant.jurisdiction,
        position=variant.position,
        status=DRAFT,
        title=request.title,
        body=_normalised(request.body),
        sha256=text_sha256(request.title, _normalised(request.body)),
        author_id=actor.id,
    )
    session.add(version)
    session.flush()
    _record(session, "clause.drafted", version, actor)
    return version


def _normalised(body: str) -> str:
    return body.replace("\r\n", "\n").strip() + "\n"


def edit_draft(
    session: Session, version_id: uuid.UUID, *, title: str, body: str, actor: User
) -> ClauseVersion:
    _require_legal(actor, "edit clauses")
    version = get_version(session, version_id, lock=True)
    if version.status != DRAFT:
        raise Conflict(
            f"version {version.version} is {version.status}; only a draft changes",
            code="not_draft",
        )
    _check_text(title, body)
    version.title = title
    version.body = _normalised(body)
    version.sha256 = text_sha256(title, version.body)
    _record(session, "clause.edited", version, actor)
    return version


def submit_for_review(session: Session, version_id: uuid.UUID, *, actor: User) -> ClauseVersion:
    _require_legal(actor, "submit clauses for review")
    version = get_version(session, version_id, lock=True)
    if version.status != DRAFT:
        raise Conflict(
            f"version {version.version} is {version.status}, not a draft", code="not_draft"
        )
    version.status = IN_REVIEW
    version.review_comment = ""
    _record(session, "clause.submitted", version, actor)
    return version


def _reviewable(session: Session, version_id: uuid.UUID, actor: User) -> ClauseVersion:
    _require_legal(actor, "review clauses")
    version = get_version(session, version_id, lock=True)
    if version.status != IN_REVIEW:
        raise Conflict(
            f"version {version.version} is {version.status}, not in review", code="not_in_review"
        )
    if version.author_id == actor.id:
        raise ControlRefused(
            "the author of a clause version cannot review it; ask another lawyer",
            code="own_work",
            rule="legal-four-eyes",
        )
    return version


def approve(
    session: Session, version_id: uuid.UUID, *, actor: User, comment: str = ""
) -> ClauseVersion:
    """Approve a version in review; the variant's previous approved text retires."""
    version = _reviewable(session, version_id, actor)
    previous = _approved(_versions_of(session, version.clause, variant_of(version)))
    if previous is not None:
        previous.status = RETIRED
        _record(session, "clause.retired", previous, actor, superseded_by=version.version)
    version.status = APPROVED
    version.approved_by_id = actor.id
    version.approved_at = utcnow()
    version.review_comment = comment
    session.flush()
    session.expire(version, ["approved_by"])
    _record(session, "clause.approved", version, actor, comment=comment)
    return version


def send_back(
    session: Session, version_id: uuid.UUID, *, actor: User, comment: str
) -> ClauseVersion:
    if not comment.strip():
        raise InvalidInput(
            "say what needs to change",
            [FieldError("/comment", "a comment is required", "required")],
        )
    version = _reviewable(session, version_id, actor)
    version.status = DRAFT
    version.review_comment = comment
    _record(session, "clause.sent_back", version, actor, comment=comment)
    return version


def retire(session: Session, version_id: uuid.UUID, *, actor: User) -> ClauseVersion:
    """Withdraw an approved text: new documents can no longer use it."""
    _require_legal(actor, "retire clauses")
    version = get_version(session, version_id, lock=True)
    if version.status != APPROVED:
        raise Conflict(
            f"version {version.version} is {version.status}, not approved", code="not_approved"
        )
    version.status = RETIRED
    _record(session, "clause.retired", version, actor)
    return version


def redline_against_approved(
    session: Session, version_id: uuid.UUID
) -> tuple[ClauseVersion | None, Redline]:
    """The version's title and text against the variant's approved text, or, for the
    approved version itself, against the version before it."""
    version = get_version(session, version_id)
    versions = _versions_of(session, version.clause, variant_of(version))
    base = _approved(versions)
    if base is None or base.id == version.id:
        earlier = [v for v in versions if v.version < version.version]
        base = earlier[-1] if earlier else None
    before = "" if base is None else f"{base.title}\n\n{base.body}"
    return base, redline(before, f"{version.title}\n\n{version.body}")


# --- documents and clauses -------------------------------------------------------------


def choose_versions(
    session: Session, positions: dict[str, str], *, language: str, jurisdiction: str
) -> dict[str, ClauseVersion | str]:
    """The approved text each clause of a document uses (by key, in the playbook position
    asked for): the variant for its language and jurisdiction, else the one that holds under
    any law. One query for all; a key with no fitting text maps to the reason instead."""
    candidates = session.execute(
        select(Clause.key, ClauseVersion)
        .join(Clause)
        .where(
            Clause.key.in_(positions),
            ClauseVersion.language == language,
            ClauseVersion.position.in_(set(positions.values())),
            ClauseVersion.status == APPROVED,
            ClauseVersion.jurisdiction.in_({jurisdiction, ""}),
        )
    ).all()
    by_key: dict[str, list[ClauseVersion]] = {}
    for key, version in candidates:
        if version.position == positions[key]:
            by_key.setdefault(key, []).append(version)
    chosen: dict[str, ClauseVersion | str] = {}
    for key, position in positions.items():
        fitting = sorted(by_key.get(key, []), key=lambda v: v.jurisdiction != jurisdiction)
        if fitting:
            chosen[key] = fitting[0]
            continue
        where = f" for jurisdiction {jurisdiction!r}" if jurisdiction else ""
        which = "" if position == PREFERRED else f" in playbook position {position!r}"
        chosen[key] = f"clause {key!r} has no approved text in {language!r}{where}{which}"
    return chosen


@dataclass(frozen=True)
class Use:
    document_id: uuid.UUID
    number: str
    status: str
    signed: bool


def where_used(session: Session, version_id: uuid.UUID) -> list[Use]:
    """The documents, and so the signed contracts, assembled from this clause version."""
    get_version(session, version_id)
    rows = session.execute(
        select(Document.id, Document.number, Document.status)
        .join(DocumentClause, DocumentClause.document_id == Document.id)
        .where(DocumentClause.clause_version_id == version_id)
        .order_by(Document.number)
    ).all()
    return [Use(row.id, row.number, row.status, row.status == SIGNED) for row in rows]


def clause_list(session: Session, search: str = "") -> list[Clause]:
    query = select(Clause).order_by(Clause.key)
    if search:
        pattern = f"%{search.lower()}%"
        query = query.where(
            Clause.key.like(pattern)
            | Clause.id.in_(
                select(ClauseVersion.clause_id).where(
                    ClauseVersion.title.ilike(pattern) | ClauseVersion.body.ilike(pattern)
                )
            )
        )
    return list(session.scalars(query).all())
