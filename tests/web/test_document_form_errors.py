"""The document page's forms answer a mistake as its other forms do: the same page (422),
the message beside the field in the user's language, what was typed kept, a summary at
the top linking to the fields, nothing changed; a refusal that names no field is said at
the top of the page, in the user's language, with the status the API would answer."""

from __future__ import annotations

from apiflask import APIFlask
from flask.testing import FlaskClient

from tests.conftest import WAIT, bearer, csrf_token, row_counts
from tests.support.flows import create_and_send, plain_quote_request, send_and_sign
from tests.web.test_form_errors import (
    DEVELOPER_WORDS,
    choose_language,
    field_error,
    shown,
    sign_in,
    summary_links,
)


def _quote(app: APIFlask) -> str:
    answer = app.test_client().post(
        "/api/v1/documents",
        json=plain_quote_request(app),
        headers={**bearer(app, "support@example.com"), **WAIT},
    )
    return str(answer.json["id"])


def _signed(app: APIFlask, document_id: str) -> None:
    send_and_sign(app, document_id)
    app.extensions["contractdesk"].jobs.wait_idle()  # the confirmation is made and stored


def _summary(page: str) -> str:
    summary = page.split('class="flash error error-summary"', 1)[1].split(">", 1)[1]
    return shown(summary.split("</div>", 1)[0])


def _post(client: FlaskClient, document_id: str, action: str, **form: object) -> object:
    page = client.get(f"/documents/{document_id}")
    return client.post(
        f"/documents/{document_id}/{action}", data={"csrf_token": csrf_token(page.text), **form}
    )


def test_a_signer_without_a_valid_email_comes_back_beside_the_field(
    app: APIFlask, client: FlaskClient
) -> None:
    document_id = _quote(app)
    sign_in(client, "support@example.com")
    before = row_counts(app.extensions["contractdesk"])
    answer = _post(
        client,
        document_id,
        "send",
        **{
            "signers-0-name": "Helen Marsh",
            "signers-0-email": "helen.example.org",
            "signers-1-email": "second@example.org",
        },
    )
    assert answer.status_code == 422 and answer.mimetype == "text/html"
    page = answer.text
    assert field_error(page, "signers-0-email") == "Enter an email address, e.g. name@example.com."
    assert field_error(page, "signers-1-name") == "Enter the signer's name."
    assert summary_links(page) == {
        "signers-0-email": "Signer 1: email",
        "signers-1-name": "Signer 2: name",
    }
    assert 'value="Helen Marsh"' in page and 'value="helen.example.org"' in page
    assert 'aria-describedby="signers-0-email-error"' in page
    assert row_counts(app.extensions["contractdesk"]) == before


def test_a_dutch_sender_reads_the_signers_mistakes_in_dutch(
    app: APIFlask, client: FlaskClient
) -> None:
    document_id = _quote(app)
    sign_in(client, "support@example.com")
    choose_language(client, "nl")
    answer = _post(client, document_id, "send", **{"signers-0-name": "", "signers-0-email": ""})
    assert answer.status_code == 422
    page = answer.text
    assert field_error(page, "signers-0-name") == "Vul de naam van de ondertekenaar in."
    assert summary_links(page) == {"signers-0-name": "Ondertekenaar 1: naam"}
    assert "Verbeter de gemarkeerde velden hieronder." in page


def test_withdrawing_without_a_reason_asks_for_one(app: APIFlask, client: FlaskClient) -> None:
    document_id, _link = create_and_send(app)
    sign_in(client, "support@example.com")
    choose_language(client, "nl")
    before = row_counts(app.extensions["contractdesk"])
    answer = _post(client, document_id, "void", reason="  ")
    assert answer.status_code == 422
    page = answer.text
    assert field_error(page, "void-reason") == "Zeg in een paar woorden waarom."
    assert summary_links(page) == {"void-reason": "Reden om in te trekken"}
    assert row_counts(app.extensions["contractdesk"]) == before


def test_cancelling_without_a_reason_keeps_the_lines_ticked(
    app: APIFlask, client: FlaskClient
) -> None:
    document_id = _quote(app)
    _signed(app, document_id)
    sign_in(client, "finance@example.com")
    before = row_counts(app.extensions["contractdesk"])
    answer = _post(client, document_id, "cancel", reason="", lines=["1"])
    assert answer.status_code == 422
    page = answer.text
    assert field_error(page, "cancel-reason") == "Say why, in a few words."
    assert summary_links(page) == {"cancel-reason": "Reason"}
    assert 'id="cancel-lines-1" name="lines" value="1" checked' in page
    assert row_counts(app.extensions["contractdesk"]) == before


def test_a_line_cancelled_already_is_said_beside_the_lines_in_dutch(
    app: APIFlask, client: FlaskClient
) -> None:
    document_id = _quote(app)
    _signed(app, document_id)
    sign_in(client, "finance@example.com")
    assert (
        _post(client, document_id, "cancel", reason="Not delivered", lines=["1"]).status_code == 302
    )
    choose_language(client, "nl")
    before = row_counts(app.extensions["contractdesk"])
    answer = _post(client, document_id, "cancel", reason="Twice by mistake", lines=["1"])
    assert answer.status_code == 422
    assert field_error(answer.text, "cancel-lines") == "Regel 2 is al geannuleerd."
    assert summary_links(answer.text) == {"cancel-lines": "Te annuleren regels"}
    assert "Twice by mistake</textarea>" in answer.text
    assert row_counts(app.extensions["contractdesk"]) == before


def test_a_refusal_without_a_field_is_said_at_the_top_in_the_users_language(
    app: APIFlask, client: FlaskClient
) -> None:
    document_id = _quote(app)
    sign_in(client, "support@example.com")
    reminded = _post(client, document_id, "remind")
    assert reminded.status_code == 409
    assert _summary(reminded.text) == "The document is not out for signature."
    choose_language(client, "nl")
    _signed(app, document_id)
    before = row_counts(app.extensions["contractdesk"])
    again = _post(client, document_id, "regenerate")
    assert again.status_code == 409
    assert (
        _summary(again.text)
        == "Dit document kan zoals het nu is niet meer gewijzigd of verzonden worden."
    )
    assert not DEVELOPER_WORDS.search(shown(again.text)) and "signed;" not in again.text
    assert row_counts(app.extensions["contractdesk"]) == before


def test_an_approver_whose_decision_is_refused_reads_why_at_the_top(
    app: APIFlask, client: FlaskClient
) -> None:
    document_id = _quote(app)
    sign_in(client, "manager@example.com")
    choose_language(client, "nl")
    answer = _post(client, document_id, "approval", decision="approve", comment="Looks fine")
    assert answer.status_code == 409
    assert _summary(answer.text) == (
        "Dit kan nu niet: de pagina toont het document zoals het er nu voor staat."
    )
    undecided = _post(client, document_id, "approval", decision="", comment="Hmm")
    assert undecided.status_code == 422
    assert _summary(undecided.text) == "Kies goedkeuren of afwijzen."
