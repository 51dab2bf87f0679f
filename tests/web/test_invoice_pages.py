"""Finance and support at the pages: the invoices held for a PO and the customers that
require one; a contract's invoice periods with their POs; a PO for a period invoiced
refused beside its field in Dutch; a licence cancelled from a date."""

from __future__ import annotations

from apiflask import APIFlask
from flask.testing import FlaskClient

from tests.conftest import account_id, csrf_token, row_counts
from tests.support.flows import signed_licence
from tests.web.test_form_errors import choose_language, field_error, shown, sign_in


def _post(client: FlaskClient, path: str, page: str, **form: object) -> object:
    return client.post(path, data={"csrf_token": csrf_token(client.get(page).text), **form})


def test_a_held_invoice_is_shown_to_finance_and_sent_once_its_po_is_set(
    app: APIFlask, client: FlaskClient
) -> None:
    runtime = app.extensions["contractdesk"]
    consortium = account_id(runtime, "Consortium")
    sign_in(client, "finance@example.com")
    answer = _post(
        client,
        f"/finance/accounts/{consortium}/requires-po",
        "/finance/invoices",
        requires_po="yes",
    )
    assert answer.status_code == 302
    licence = signed_licence(app, po_number=None)
    runtime.jobs.wait_idle()
    held = shown(client.get("/finance/invoices").text)
    assert licence["number"] in held and "Consortium of Dutch Research Libraries" in held

    page = f"/documents/{licence['id']}"
    assert "held for a PO" in shown(client.get(page).text)
    choose_language(client, "nl")
    before = row_counts(runtime)
    refused = _post(client, f"{page}/purchase-orders", page, period="1", po_number="")
    assert refused.status_code == 422
    assert field_error(refused.text, "po-po-number") == "Vul dit veld in."
    assert row_counts(runtime) == before
    done = _post(client, f"{page}/purchase-orders", page, period="1", po_number="CDRL-27")
    assert done.status_code == 302
    runtime.jobs.wait_idle()
    assert "Geen factuur wacht op een inkoopordernummer." in client.get("/finance/invoices").text
    after = shown(client.get(page).text)
    assert "CDRL-27" in after and "gefactureerd" in after

    again = _post(client, f"{page}/purchase-orders", page, period="2", po_number="CDRL-28")
    assert again.status_code == 302
    refused = _post(
        client, f"{page}/cancel", page, reason="Library closed", effective_date="2026-06-01"
    )
    assert refused.status_code == 422
    assert field_error(refused.text, "cancel-effective-date") == (
        "Kies een dag van 2027-01-01 tot en met 2029-12-31."
    )
    done = _post(
        client, f"{page}/cancel", page, reason="Library closed", effective_date="2027-07-01"
    )
    assert done.status_code == 302
    text = " ".join(shown(client.get(page).text).split())  # no-break spaces as spaces
    # 27,620.00 a year under the reverse charge, credited for 184 days of 365
    assert "Geannuleerd per 1 jul 2027" in text and "Creditering € 13.923,51" in text
