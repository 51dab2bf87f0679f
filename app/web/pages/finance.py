"""Finance's pages: webhook endpoints, their health and every delivery attempt; enable an
endpoint again, replay an event; the invoices held for a PO and the accounts that require
one."""

from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.accounts import services as accounts
from app.billing import endpoints, purchase_orders
from app.errors import DomainError
from app.web.context import unit_of_work
from app.web.form_errors import refusal
from app.web.pages.auth import login_required, signed_in_user

bp = Blueprint("pages_finance", __name__)

MANAGERS = ("finance", "admin")


@bp.get("/finance/webhooks")
@login_required(*MANAGERS)
def webhooks() -> str:
    return render_template("finance/webhooks.html", endpoints=endpoints.health(unit_of_work()))


@bp.get("/finance/webhooks/<uuid:endpoint_id>")
@login_required(*MANAGERS)
def endpoint_log(endpoint_id: uuid.UUID) -> str:
    return _endpoint_page(endpoint_id)


def _endpoint_page(endpoint_id: uuid.UUID, refused: str | None = None) -> str:
    """An endpoint's deliveries; after a refused action, with the refusal at the top."""
    status = request.args.get("status") or None
    health = next(
        (h for h in endpoints.health(unit_of_work()) if h.endpoint.id == endpoint_id), None
    )
    if health is None:
        return render_template("error.html", title=_("Not found"), detail=_("no such endpoint"))
    deliveries = endpoints.deliveries(unit_of_work(), endpoint_id, status=status, before=None)
    return render_template(
        "finance/endpoint.html",
        health=health,
        deliveries=deliveries,
        status=status,
        refused=refused,
    )


@bp.post("/finance/webhooks/<uuid:endpoint_id>/enabled")
@login_required(*MANAGERS)
def set_enabled(endpoint_id: uuid.UUID) -> ResponseReturnValue:
    enable = request.form.get("enabled") == "yes"
    try:
        endpoints.update_endpoint(
            unit_of_work(), endpoint_id, actor=signed_in_user(), enabled=enable
        )
        flash(_("Enabled: waiting deliveries go out in order.") if enable else _("Disabled."))
    except DomainError as exc:
        return _endpoint_page(endpoint_id, refused=refusal(exc)), exc.status
    return redirect(url_for(".endpoint_log", endpoint_id=endpoint_id))


@bp.post("/finance/events/<uuid:event_id>/replay")
@login_required(*MANAGERS)
def replay(event_id: uuid.UUID) -> ResponseReturnValue:
    endpoint_id = uuid.UUID(request.form["endpoint_id"])
    try:
        endpoints.replay(unit_of_work(), event_id, actor=signed_in_user(), endpoint_id=endpoint_id)
        flash(_("Replayed with the same webhook-id."))
    except DomainError as exc:
        return _endpoint_page(endpoint_id, refused=refusal(exc)), exc.status
    return redirect(url_for(".endpoint_log", endpoint_id=endpoint_id))


@bp.get("/finance/invoices")
@login_required(*MANAGERS)
def held_invoices(refused: str | None = None) -> str:
    uow = unit_of_work()
    held = purchase_orders.held(uow)
    with uow:
        customers = accounts.list_accounts(uow.session)
    return render_template(
        "finance/held_invoices.html", held=held, accounts=customers, refused=refused
    )


@bp.post("/finance/accounts/<uuid:account_id>/requires-po")
@login_required(*MANAGERS)
def requires_po(account_id: uuid.UUID) -> ResponseReturnValue:
    required = request.form.get("requires_po") == "yes"
    try:
        account = purchase_orders.set_requires_po(
            unit_of_work(), account_id, requires_po=required, actor=signed_in_user()
        )
    except DomainError as exc:
        return held_invoices(refused=refusal(exc)), exc.status
    flash(
        _("%(name)s: invoices need a PO.", name=account.name)
        if required
        else _("%(name)s: invoices go without a PO.", name=account.name)
    )
    return redirect(url_for(".held_invoices"))
