"""Mail pages: the outbox for admins, a user's mail preferences, and the customer's
one-click unsubscribe (RFC 8058), which works without a login or a CSRF token: the signed
token in the link is the permission."""

from __future__ import annotations

import re
import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.instance_secret import secret_key_for
from app.mail import events, unsubscribe
from app.mail import services as mail
from app.mail.models import MailMessage
from app.web.context import unit_of_work
from app.web.pages.auth import login_required, signed_in_user

bp = Blueprint("pages_mail", __name__)
unsubscribe_bp = Blueprint("pages_unsubscribe", __name__)

LINK = re.compile(r"https?://[^\s<>\"]+")


def kind_labels() -> dict[str, str]:
    return {
        events.APPROVAL_REQUEST: _("A document waits for my approval"),
        events.APPROVAL_DECISION: _("My document was approved or rejected"),
        events.SIGNED_COPY: _("The signed copy of a document I sent"),
        events.QUOTE_EXPIRING: _("My quote is about to expire"),
        events.RENEWAL_DUE: _("A renewal of my licence is due"),
        events.REVIEW_WAITING: _("A clause or template waits for review"),
        events.WEBHOOK_FAILING: _("A webhook endpoint fails or is disabled"),
    }


@bp.get("/admin/outbox")
@login_required("admin")
def outbox() -> str:
    uow = unit_of_work()
    with uow:
        return render_template("admin/outbox.html", messages=mail.listing(uow.session))


@bp.get("/admin/outbox/<uuid:message_id>")
@login_required("admin")
def outbox_message(message_id: uuid.UUID) -> str:
    uow = unit_of_work()
    with uow:
        message = uow.session.get(MailMessage, message_id)
        if message is None:
            abort(404)
        headers = [("Message-ID", message.message_id)]
        headers += [("Reply-To", message.reply_to)] if message.reply_to else []
        headers += list(message.headers.items())
        return render_template(
            "admin/outbox_message.html",
            message=message,
            headers=headers,
            links=LINK.findall(message.text),
        )


@bp.post("/admin/outbox/<uuid:message_id>/retry")
@login_required("admin")
def retry(message_id: uuid.UUID) -> Response:
    uow = unit_of_work()
    with uow:
        mail.retry(uow.session, message_id)
        uow.enqueue("mail.deliver", message_id=str(message_id))
        uow.commit()
    return redirect(url_for("pages_mail.outbox"))


@bp.route("/account/mail", methods=["GET", "POST"])
@login_required()
def preferences() -> str | Response:
    user = signed_in_user()
    uow = unit_of_work()
    with uow:
        if request.method == "POST":
            chosen = set(request.form.getlist("kinds"))
            for kind in events.USER_KINDS:
                mail.set_opt_out(uow.session, user.email, kind, out=kind not in chosen)
            uow.commit()
            flash(_("Your mail preferences are saved."))
            return redirect(url_for("pages_mail.preferences"))
        return render_template(
            "account/mail.html",
            choices=mail.preferences(uow.session, user.email, events.USER_KINDS),
            labels=kind_labels(),
            failed=[m for m in mail.listing(uow.session, sender_id=user.id) if m.state == "failed"],
        )


@unsubscribe_bp.route("/mail/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe_page(token: str) -> tuple[str, int]:
    """GET asks (a link checker opening it changes nothing); POST unsubscribes, whether
    from the page's button or a mail program's one-click POST."""
    uow = unit_of_work()
    found = unsubscribe.read_token(secret_key_for(uow.settings), token)
    if found is None:
        return render_template("mail_unsubscribe.html", state="invalid"), 404
    address, kind = found
    if request.method == "GET":
        return render_template("mail_unsubscribe.html", state="ask", address=address), 200
    with uow:
        mail.set_opt_out(uow.session, address, kind, out=True)
        uow.commit()
    return render_template("mail_unsubscribe.html", state="done", address=address), 200
