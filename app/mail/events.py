"""The messages each event causes. A use case calls one of these inside its transaction,
at the point where the event happens; the message is stored with the change.

Customers (signers) get theirs in the document's language; users in their own. With
DocuSign, DocuSign mails the signers; these send only the service's own notices.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from babel.dates import format_date, format_datetime
from sqlalchemy import select

from app.approvals.deciders import may_decide
from app.assembly.document import LOCALES
from app.billing.models import WebhookEndpoint
from app.db import utcnow
from app.documents.models import PENDING_APPROVAL, Approval, Document, DocumentFile
from app.documents.records import outstanding_approvals
from app.instance_secret import secret_key_for
from app.library.models import ClauseVersion, TemplateVersion
from app.mail import unsubscribe
from app.mail.compose import language_of, translated
from app.mail.services import Outgoing, Recipient, queue, reply_to_for
from app.uow import UnitOfWork
from app.users.models import User

INVITATION = "signing_invitation"
REMINDER = "signing_reminder"
EXPIRED = "signing_expired"
SIGNED_COPY = "signed_copy"
APPROVAL_REQUEST = "approval_request"
APPROVAL_DECISION = "approval_decision"
QUOTE_EXPIRING = "quote_expiring"
RENEWAL_DUE = "renewal_due"
REVIEW_WAITING = "review_waiting"
WEBHOOK_FAILING = "webhook_failing"
USER_KINDS = (
    APPROVAL_REQUEST,
    APPROVAL_DECISION,
    SIGNED_COPY,
    QUOTE_EXPIRING,
    RENEWAL_DUE,
    REVIEW_WAITING,
    WEBHOOK_FAILING,
)
"""What a user may choose not to get, on their mail preferences page."""


def url(uow: UnitOfWork, path: str) -> str:
    return uow.settings.public_url.rstrip("/") + path


def _language(document: Document) -> str:
    return language_of(document.data.get("language"))


def _when(moment: datetime, language: str) -> str:
    return format_datetime(moment, "d MMMM y, HH:mm 'UTC'", tzinfo=None, locale=LOCALES[language])


def _document_context(uow: UnitOfWork, document: Document) -> dict[str, str]:
    return {
        "seller": uow.settings.seller_name,
        "title": document.template_version.template.title,
        "number": document.number,
        "customer": str(document.customer.get("name", "")),
    }


def signing_link(
    uow: UnitOfWork,
    document: Document,
    *,
    kind: str,
    key: str,
    name: str,
    email: str,
    link: str,
    expires_at: datetime,
    sender: User,
) -> None:
    """The built-in signer's invitation, or a reminder, with the signer's one-time link;
    or the notice that the request expired (`EXPIRED`, which shows no link)."""
    language = _language(document)
    context = {
        **_document_context(uow, document),
        "name": name,
        "sender": sender.name,
        "link": link,
        "expires": _when(expires_at, language),
        "language": language,
    }
    headers = {}
    if kind == REMINDER:
        token = unsubscribe.token_for(secret_key_for(uow.settings), email, REMINDER)
        context["unsubscribe_url"] = url(uow, f"/mail/unsubscribe/{token}")
        headers = {
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    queue(
        uow,
        Outgoing(
            key=key,
            kind=kind,
            to=[Recipient(name, email)],
            language=language,
            context=context,
            reply_to=reply_to_for(uow.settings, sender.team),
            headers=headers,
            document_id=document.id,
            sender_id=sender.id,
        ),
    )


def signed_copies(
    uow: UnitOfWork,
    document: Document,
    signed: DocumentFile,
    parties: Iterable[tuple[str, str]],
    sender: User,
) -> None:
    """The signed copy, attached, to every party: each signer and copy, and the sender."""
    language = _language(document)
    attachment = {
        "key": signed.storage_key,
        "version": signed.storage_version_id,
        "sha256": signed.sha256,
        "filename": f"{document.number}-signed.pdf",
    }
    everyone = {email.lower(): (name, email) for name, email in parties}
    everyone.setdefault(sender.email.lower(), (sender.name, sender.email))
    for name, email in everyone.values():
        # the parties in the document's language, the sender in their own
        own = language_of(sender.language) if email.lower() == sender.email.lower() else language
        queue(
            uow,
            Outgoing(
                key=f"signed:{document.id}:{signed.version}:{email.lower()}",
                kind=SIGNED_COPY,
                to=[Recipient(name, email)],
                language=own,
                context={**_document_context(uow, document), "name": name, "language": own},
                reply_to=reply_to_for(uow.settings, sender.team),
                attachment=attachment,
                document_id=document.id,
                sender_id=sender.id,
            ),
        )


def _to_user(
    uow: UnitOfWork,
    user: User,
    *,
    kind: str,
    key: str,
    context: dict[str, object],
    document: Document | None = None,
    template: str | None = None,
) -> None:
    language = language_of(user.language)
    queue(
        uow,
        Outgoing(
            key=key,
            kind=kind,
            template=template or "",
            to=[Recipient(user.name, user.email)],
            language=language,
            context={
                **context,
                "name": user.name,
                "language": language,
                "preferences_url": url(uow, "/account/mail"),
            },
            document_id=document.id if document else None,
        ),
    )


def approval_requested(uow: UnitOfWork, document: Document) -> None:
    """While the document awaits approval, everyone who may decide its current step is
    asked, once per step and version, with a link to the decision."""

    if document.status != PENDING_APPROVAL:
        return
    outstanding = outstanding_approvals(document)
    if not outstanding:
        return
    step = min(int(rule.get("step", 1)) for rule in outstanding)
    matrix = uow.settings.approval_matrix
    candidates = uow.session.scalars(select(User).where(User.active)).all()
    for user in candidates:
        if not may_decide(document, user, matrix):
            continue
        _to_user(
            uow,
            user,
            kind=APPROVAL_REQUEST,
            key=f"approval-request:{document.id}:{document.current_version}:{step}:{user.id}",
            context={
                **_document_context(uow, document),
                "submitter": document.created_by.name,
                "link": url(uow, f"/documents/{document.id}"),
            },
            document=document,
        )


def approval_decided(
    uow: UnitOfWork, document: Document, approval: Approval, decider: User
) -> None:
    """The decision, back to whoever submitted the document; the next step's deciders
    are asked when one is left."""
    _to_user(
        uow,
        document.created_by,
        kind=APPROVAL_DECISION,
        key=f"approval-decision:{approval.id}",
        context={
            **_document_context(uow, document),
            "approved": approval.decision == "approve",
            "decider": decider.name,
            "comment": approval.comment,
            "link": url(uow, f"/documents/{document.id}"),
        },
        document=document,
    )
    approval_requested(uow, document)


def notice(
    uow: UnitOfWork,
    users: Iterable[User],
    *,
    kind: str,
    key: str,
    headline: str,
    detail: str,
    link: str,
    document: Document | None = None,
    **params: object,
) -> None:
    """A notice to users (expiring quote, renewal due, review waiting, endpoint failing):
    `headline` and `detail` are English msgids with %(name)s parameters, each said in
    the user's language."""
    for user in users:
        if not user.active:
            continue
        language = language_of(user.language)
        _to_user(
            uow,
            user,
            kind=kind,
            template="notice",
            key=f"{key}:{user.id}",
            context={
                "headline": translated(language, headline, **params),
                "detail": translated(language, detail, **params),
                "link": url(uow, link),
            },
            document=document,
        )


def users_with_role(uow: UnitOfWork, role: str) -> list[User]:
    return list(uow.session.scalars(select(User).where(User.role == role, User.active)))


def renewal_due(
    uow: UnitOfWork, licence: Document, renewal: Document, *, days_left: int, reminder: int
) -> None:
    """A licence's renewal reminder, to the licence's owner (who made it)."""
    notice(
        uow,
        [licence.created_by],
        kind=RENEWAL_DUE,
        key=f"renewal-due:{licence.id}:{reminder}",
        headline="Renewal due: %(number)s for %(customer)s",
        detail="%(number)s for %(customer)s ends in %(days)s days; its renewal %(renewal)s "
        "is not signed yet.",
        link=f"/documents/{renewal.id}",
        document=renewal,
        number=licence.number,
        customer=str(licence.customer.get("name", "")),
        days=days_left,
        renewal=renewal.number,
    )


def _endpoint_people(uow: UnitOfWork, endpoint: WebhookEndpoint) -> list[User]:
    """Finance, and whoever registered the endpoint."""
    people = {u.id: u for u in users_with_role(uow, "finance")}
    owner = uow.session.get(User, endpoint.created_by_id)
    if owner is not None:
        people.setdefault(owner.id, owner)
    return list(people.values())


def webhook_disabled(uow: UnitOfWork, endpoint: WebhookEndpoint, reason: str) -> None:
    """A disabled webhook endpoint, to finance and to whoever registered it."""
    stamp = endpoint.disabled_at.isoformat() if endpoint.disabled_at else ""
    notice(
        uow,
        _endpoint_people(uow, endpoint),
        kind=WEBHOOK_FAILING,
        key=f"webhook-disabled:{endpoint.id}:{stamp}",
        headline="Webhook endpoint disabled: %(url)s",
        detail="Deliveries to %(url)s stopped: %(reason)s. Fix it, enable it again and "
        "replay what it missed.",
        link=f"/finance/webhooks/{endpoint.id}",
        url=endpoint.url,
        reason=reason,
    )


def webhook_failing(uow: UnitOfWork, endpoint: WebhookEndpoint, last: str) -> None:
    """An endpoint whose deliveries keep failing, still retried: to finance and whoever
    registered it, at most once a day per endpoint, before it comes to being disabled."""
    notice(
        uow,
        _endpoint_people(uow, endpoint),
        kind=WEBHOOK_FAILING,
        key=f"webhook-failing:{endpoint.id}:{utcnow().date().isoformat()}",
        headline="Webhook endpoint failing: %(url)s",
        detail="Deliveries to %(url)s keep failing (last: %(reason)s); they are retried "
        "for %(days)s days, then the endpoint is disabled.",
        link=f"/finance/webhooks/{endpoint.id}",
        url=endpoint.url,
        reason=last,
        days=f"{uow.settings.webhook_retry_days:g}",
    )


def quote_expiring(uow: UnitOfWork, quote: Document, until: date) -> None:
    """A quote about to expire, to its owner."""
    language = language_of(quote.created_by.language)
    notice(
        uow,
        [quote.created_by],
        kind=QUOTE_EXPIRING,
        key=f"quote-expiring:{quote.id}:{until.isoformat()}",
        headline="Quote %(number)s expires on %(date)s",
        detail="Your quote %(number)s for %(customer)s can be signed until %(date)s.",
        link=f"/documents/{quote.id}",
        document=quote,
        number=quote.number,
        customer=str(quote.customer.get("name", "")),
        date=format_date(until, "long", locale=LOCALES[language]),
    )


def review_waiting(uow: UnitOfWork, version: ClauseVersion) -> None:
    """A clause draft in review, to every lawyer but its author."""
    lawyers = [u for u in users_with_role(uow, "legal") if u.id != version.author_id]
    what = f"{version.clause.key} v{version.version} ({version.language})"
    notice(
        uow,
        lawyers,
        kind=REVIEW_WAITING,
        key=f"review:{version.id}:{version.sha256}",
        headline="Awaiting your review: %(what)s",
        detail="%(author)s submitted %(what)s for review.",
        link=f"/library/clauses/{version.clause.key}",
        what=what,
        author=version.author.name if version.author else "",
    )


def template_waiting(uow: UnitOfWork, version: TemplateVersion) -> None:
    """A template version uploaded and not yet published, to every lawyer but its
    uploader (publishing needs a second lawyer)."""
    lawyers = [u for u in users_with_role(uow, "legal") if u.id != version.uploaded_by_id]
    what = f"template {version.template.key} v{version.version}"
    uploader = uow.session.get(User, version.uploaded_by_id) if version.uploaded_by_id else None
    notice(
        uow,
        lawyers,
        kind=REVIEW_WAITING,
        key=f"review:template:{version.id}",
        headline="Awaiting your review: %(what)s",
        detail="%(author)s submitted %(what)s for review.",
        link="/library/templates",
        what=what,
        author=uploader.name if uploader else "",
    )
