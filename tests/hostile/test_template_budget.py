"""Issue 10: a template or clause text that loops forever, recurses without end or prints
a gigabyte is stopped within bounded time and memory, with an error naming the template
or clause; nothing is stored and no document number is used up."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
from apiflask import APIFlask

from app.assembly import sandbox
from app.assembly.sandbox import RenderLimits
from app.config import PROJECT_ROOT
from tests.conftest import PASSWORD, WAIT, bearer, build_app, csrf_token, make_settings, row_counts
from tests.hostile.bombs import measured
from tests.support.flows import plain_quote_request

HOSTILE = {
    "nested-loops": (
        "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}",
        "the template was stopped after",
    ),
    "recursive-macro": (
        "{% macro down(n) %}{{ down(n + 1) }}{% endmacro %}{{ down(0) }}",
        "more than 100 deep",
    ),
    "branching-recursion": (
        "{% macro two(n) %}{% if n %}{{ two(n - 1) }}{{ two(n - 1) }}{% endif %}{% endmacro %}"
        "{{ two(60) }}",
        "the template was stopped after",
    ),
    "gigabyte-string": ("{{ 'x' * 10**9 }}", "longer than 10,000,000 characters"),
    "gigabyte-of-text-in-a-loop": (
        "{% for a in range(100000) %}{% for b in range(100000) %}" + "x" * 1000 + "{% endfor %}"
        "{% endfor %}",
        "longer than 10,000,000 characters",
    ),
    "padded-format": ("{{ '%0999999999d'|format(1) }}", "longer than 10,000,000 characters"),
}


def _zip(folder: Path) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                archive.write(file, file.relative_to(folder).as_posix())
    return out.getvalue()


def _upload_quote(app: APIFlask, tmp_path: Path, line_12: str) -> dict[str, Any]:
    """A copy of the shipped quote whose HTML has `line_12` appended to its line 12."""
    folder = tmp_path / "quote"
    shutil.copytree(PROJECT_ROOT / "contract_templates" / "quote", folder)
    page = folder / "quote.html"
    lines = page.read_text().splitlines()
    lines[11] += line_12
    page.write_text("\n".join(lines) + "\n")
    answer = app.test_client().post(
        "/api/v1/templates",
        data=_zip(folder),
        headers={**bearer(app, "legal@example.com"), "Content-Type": "application/zip"},
    )
    assert answer.status_code == 201, answer.json
    return dict(answer.json)


def _assert_nothing_but_a_released_number(before: dict[str, int], after: dict[str, int]) -> None:
    """The number drawn for the refused document went back to the pool; nothing else."""
    assert after.pop("released_number") == before.pop("released_number") + 1
    after.pop("sequence_counter"), before.pop("sequence_counter")
    assert after == before


@pytest.mark.parametrize(("source", "message"), HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_html_template_stops_a_document_with_a_problem_naming_it(
    app: APIFlask, tmp_path: Path, source: str, message: str
) -> None:
    """Its sample renders, so it is published; a document whose data takes the hostile
    branch is recorded (creation answers before the render) and its render stops within
    the budget: the document is marked failed with the reason, no file is kept, and the
    caller who waited gets the problem naming the template's line."""
    client = app.test_client()
    support = bearer(app, "support@example.com")
    version = _upload_quote(
        app, tmp_path, f"{{% if doc.po_number == 'PO-HOSTILE' %}}{source}{{% endif %}}"
    )
    published = client.post(
        f"/api/v1/template-versions/{version['id']}/publish",
        headers=bearer(app, "legal2@example.com"),
    )
    assert published.status_code == 200, published.json
    body = plain_quote_request(app)
    body["data"]["po_number"] = "PO-HOSTILE"
    runtime = app.extensions["contractdesk"]
    counts = row_counts(runtime)

    with measured() as cost:
        answer = client.post("/api/v1/documents", json=body, headers={**support, **WAIT})

    assert answer.status_code == 422, answer.json
    assert "template quote.html, line 12: the template was stopped" in answer.json["detail"]
    assert message in answer.json["detail"]
    assert cost.seconds < 10
    assert cost.peak_mb < 100
    after = row_counts(runtime)
    assert after["document"] == counts["document"] + 1
    assert after["document_file"] == counts["document_file"]
    assert after["stored objects"] == counts["stored objects"]
    document = client.get(answer.json["document"], headers=support).json
    assert document["render_status"] == "failed"
    assert message in document["render_error"]


def test_a_hostile_template_is_not_published_and_its_sample_page_says_why(
    app: APIFlask, tmp_path: Path
) -> None:
    source, message = HOSTILE["nested-loops"]
    version = _upload_quote(app, tmp_path, source)
    client = app.test_client()
    reviewer = bearer(app, "legal2@example.com")
    runtime = app.extensions["contractdesk"]
    counts = row_counts(runtime)

    with measured() as cost:
        refused = client.post(
            f"/api/v1/template-versions/{version['id']}/publish", headers=reviewer
        )
    assert refused.status_code == 422
    assert (
        "cannot render its sample in 'en': template quote.html, line 12:" in refused.json["detail"]
    )
    assert message in refused.json["detail"]
    assert cost.seconds < 10 and cost.peak_mb < 100
    assert row_counts(runtime) == counts

    page = client.get("/login")
    client.post(
        "/login",
        data={
            "email": "legal@example.com",
            "password": PASSWORD,
            "csrf_token": csrf_token(page.text),
        },
    )
    with measured() as cost:
        sample = client.get(f"/library/template-versions/{version['id']}/sample.pdf")
    assert sample.status_code == 422
    assert "template quote.html, line 12: the template was stopped" in sample.text
    assert cost.seconds < 10 and cost.peak_mb < 100


@pytest.mark.parametrize(("source", "message"), HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_clause_stops_a_document_with_a_problem_naming_the_clause(
    app: APIFlask, source: str, message: str
) -> None:
    client = app.test_client()
    lee, kim = bearer(app, "legal@example.com"), bearer(app, "legal2@example.com")
    draft = client.post(
        "/api/v1/clause-drafts",
        json={
            "key": "payment-terms",
            "language": "en",
            "title": "Invoicing and payment",
            "body": source,
        },
        headers=lee,
    )
    assert draft.status_code == 201, draft.json
    version_id = draft.json["id"]
    client.post(f"/api/v1/clause-versions/{version_id}/submit", headers=lee)
    approved = client.post(f"/api/v1/clause-versions/{version_id}/approve", json={}, headers=kim)
    assert approved.status_code == 200, approved.json
    support = bearer(app, "support@example.com")
    runtime = app.extensions["contractdesk"]
    counts = row_counts(runtime)

    with measured() as cost:
        answer = client.post(
            "/api/v1/documents", json=plain_quote_request(app), headers={**support, **WAIT}
        )

    assert answer.status_code == 422, answer.json
    detail = answer.json["detail"]
    assert detail.startswith(
        f"clause 'payment-terms' version {approved.json['version']} could not be rendered"
    )
    assert "the template was stopped" in detail and message in detail
    assert cost.seconds < 10
    assert cost.peak_mb < 100
    _assert_nothing_but_a_released_number(counts, row_counts(runtime))


def test_the_budget_is_the_one_the_settings_give(
    postgres_url: str, tmp_path: Path, instance_dir: Path
) -> None:
    """CONTRACTDESK_TEMPLATE_MAX_STEPS and _MAX_OUTPUT reach every render: a service set to
    a smaller budget refuses what the default one renders, and says which setting to raise."""
    small = make_settings(
        postgres_url, tmp_path, instance_dir, template_max_steps=20, template_max_output=10**6
    )
    try:
        app = build_app(small)
        answer = app.test_client().post(
            "/api/v1/documents",
            json=plain_quote_request(app),
            headers={**bearer(app, "support@example.com"), **WAIT},
        )
        assert answer.status_code == 422, answer.json
        assert "stopped after 20 steps" in answer.json["detail"]
        assert "CONTRACTDESK_TEMPLATE_MAX_STEPS" in answer.json["detail"]
    finally:
        sandbox.configure(RenderLimits())
