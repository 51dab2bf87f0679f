"""Template packages: uploaded as zips, checked by rendering their sample data before they
are published, pinned by the documents made from them, and never able to reach outside."""

from __future__ import annotations

import http.server
import io
import shutil
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from apiflask import APIFlask
from pypdf import PdfReader

from app.config import PROJECT_ROOT
from app.documents.renders import check_template_package
from app.library.template_packages import package_folders, read_template_package
from tests.conftest import WAIT, bearer, row_counts
from tests.support.flows import plain_quote_request
from tests.support.pdf_text import without_version_marks

SHIPPED = PROJECT_ROOT / "contract_templates"


def _zip(folder: Path) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                archive.write(file, file.relative_to(folder).as_posix())
    return out.getvalue()


def _quote_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "quote"
    shutil.copytree(SHIPPED / "quote", folder)
    return folder


def _upload(client: Any, headers: dict[str, str], archive: bytes) -> Any:
    return client.post(
        "/api/v1/templates", data=archive, headers={**headers, "Content-Type": "application/zip"}
    )


def _pdf_text(data: bytes) -> str:
    pages = PdfReader(io.BytesIO(data)).pages
    return without_version_marks("\n".join(page.extract_text() for page in pages))


@pytest.mark.parametrize("folder", package_folders(SHIPPED), ids=lambda p: p.name)
def test_every_shipped_template_renders_its_sample_in_each_of_its_languages(
    app: APIFlask, folder: Path
) -> None:
    uow = app.extensions["contractdesk"].unit_of_work()
    with uow:
        check_template_package(uow, read_template_package(folder))


def test_a_new_version_is_published_only_after_its_sample_renders(
    app: APIFlask, tmp_path: Path
) -> None:
    client = app.test_client()
    folder = _quote_copy(tmp_path)
    html = folder / "quote.html"
    lines = html.read_text().splitlines()
    lines[30] += " {{ customer.no_such_field }}"
    html.write_text("\n".join(lines) + "\n")

    uploaded = _upload(client, bearer(app, "legal@example.com"), _zip(folder))
    assert uploaded.status_code == 201, uploaded.json
    assert uploaded.json["status"] == "draft" and uploaded.json["version"] == 2
    runtime = app.extensions["contractdesk"]
    legal, reviewer = bearer(app, "legal@example.com"), bearer(app, "legal2@example.com")
    counts = row_counts(runtime)
    refused = client.post(
        f"/api/v1/template-versions/{uploaded.json['id']}/publish", headers=reviewer
    )
    assert refused.status_code == 422
    assert "quote.html, line 31" in refused.json["detail"]
    assert "no_such_field" in refused.json["detail"]
    assert row_counts(runtime) == counts

    fixed = _quote_copy(tmp_path / "fixed")
    manifest = fixed / "template.yaml"
    manifest.write_text(manifest.read_text().replace("    title: Quote\n", "    title: Offer\n"))
    second = _upload(client, legal, _zip(fixed))
    published = client.post(
        f"/api/v1/template-versions/{second.json['id']}/publish", headers=reviewer
    )
    assert published.status_code == 200, published.json
    assert published.json["status"] == "published"
    versions = client.get("/api/v1/templates", headers=bearer(app, "legal@example.com")).json
    assert [(v["version"], v["status"]) for v in versions["templates"] if v["key"] == "quote"] == [
        (1, "retired"),
        (2, "draft"),
        (3, "published"),
    ]


def test_a_document_keeps_the_template_version_it_was_made_from(
    app: APIFlask, tmp_path: Path
) -> None:
    client = app.test_client()
    support = bearer(app, "support@example.com")
    before = client.post(
        "/api/v1/documents", json=plain_quote_request(app), headers={**support, **WAIT}
    )

    folder = _quote_copy(tmp_path)
    manifest = folder / "template.yaml"
    manifest.write_text(manifest.read_text().replace("    title: Quote\n", "    title: Offer\n"))
    version = _upload(client, bearer(app, "legal@example.com"), _zip(folder)).json
    client.post(
        f"/api/v1/template-versions/{version['id']}/publish",
        headers=bearer(app, "legal2@example.com"),
    )
    after = client.post(
        "/api/v1/documents", json=plain_quote_request(app), headers={**support, **WAIT}
    )
    client.post(f"/api/v1/documents/{before.json['id']}/regenerate", headers={**support, **WAIT})

    def text(document_id: str, version: int) -> str:
        answer = client.get(
            f"/api/v1/documents/{document_id}/files/pdf?version={version}", headers=support
        )
        return _pdf_text(answer.data)

    assert text(before.json["id"], 2) == text(before.json["id"], 1)
    assert "Offer" not in text(before.json["id"], 2)
    assert "Offer" in text(after.json["id"], 1)


def _zip_of(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("archive", "message"),
    [
        (b"not a zip at all", "not a zip archive"),
        (_zip_of({"../outside.html": b"x"}), "not a plain relative path"),
        (_zip_of({"run.sh": b"rm -rf /"}), "a package holds only"),
        (
            _zip_of({"bomb.html": b"\0" * (64 * 1024 * 1024)}),
            "unpacks to 67,108,864 bytes; the most accepted is 41,943,040 bytes",
        ),
        (_zip_of({f"f{n}.css": b"" for n in range(101)}), "at most 100 are allowed"),
        (_zip_of({"template.yaml": b"key: [unclosed"}), "template.yaml, line"),
    ],
    ids=["not-zip", "path-traversal", "script", "zip-bomb", "too-many-files", "bad-yaml"],
)
def test_a_hostile_or_broken_upload_is_refused_and_changes_nothing(
    app: APIFlask, archive: bytes, message: str
) -> None:
    runtime = app.extensions["contractdesk"]
    legal = bearer(app, "legal@example.com")
    counts = row_counts(runtime)
    answer = _upload(app.test_client(), legal, archive)
    assert answer.status_code == (413 if "unpacks to" in message else 422), answer.json
    assert message in answer.json["detail"]
    assert row_counts(runtime) == counts


def test_only_legal_and_admins_upload_templates(app: APIFlask, tmp_path: Path) -> None:
    support = bearer(app, "support@example.com")
    answer = _upload(app.test_client(), support, _zip(_quote_copy(tmp_path)))
    assert answer.status_code == 403


@pytest.fixture
def http_target() -> Iterator[list[str]]:
    """A local web server that records every request made to it."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"body { color: red }")

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    hits.append(f"http://127.0.0.1:{server.server_address[1]}")
    yield hits
    server.shutdown()


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "unsafe"),
        ("{{ cycler.__init__.__globals__.os.environ }}", "unsafe"),
        ("{% include '/etc/passwd' %}", "/etc/passwd"),
        ('<link rel="attachment" href="file:///etc/passwd">', "file:///etc/passwd"),
        ('<img src="file:///etc/passwd">', "file:///etc/passwd"),
        ("<style>@import url(file:///etc/hostname);</style>", "file:///etc/hostname"),
    ],
    ids=["class-walk", "globals", "include", "attachment", "img", "css-import"],
)
def test_a_template_cannot_read_files_the_environment_or_python_internals(
    app: APIFlask, tmp_path: Path, html: str, expected: str
) -> None:
    folder = _quote_copy(tmp_path)
    page = folder / "quote.html"
    page.write_text(page.read_text().replace("<body>", f"<body>{html}", 1))
    uow = app.extensions["contractdesk"].unit_of_work()
    with uow, pytest.raises(Exception) as refused:
        check_template_package(uow, read_template_package(folder))
    assert expected in str(refused.value)
    assert "root:x:0:0" not in str(refused.value)


def test_a_template_cannot_call_out_to_the_network(
    app: APIFlask, tmp_path: Path, http_target: list[str]
) -> None:
    base = http_target[0]
    folder = _quote_copy(tmp_path)
    page = folder / "quote.html"
    page.write_text(
        page.read_text().replace(
            "<body>",
            f'<body><link rel="stylesheet" href="{base}/x.css"><img src="{base}/p.png">',
            1,
        )
    )
    uow = app.extensions["contractdesk"].unit_of_work()
    with uow, pytest.raises(Exception) as refused:
        check_template_package(uow, read_template_package(folder))
    assert f"{base}/x.css" in str(refused.value)
    assert http_target == [base]


def test_a_template_that_fails_on_some_data_fails_the_render_with_file_and_line(
    app: APIFlask, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The sample renders, so the version is published; a document whose data takes the
    broken branch is recorded (its number kept) but its render fails: a caller that waits
    gets a problem naming the file and line, the document says why it failed, legal a log
    line, and no stored object is left behind."""
    client = app.test_client()
    legal, support = bearer(app, "legal@example.com"), bearer(app, "support@example.com")
    folder = _quote_copy(tmp_path)
    page = folder / "quote.html"
    lines = page.read_text().splitlines()
    lines[11] += "{% if doc.po_number == 'PO-BROKEN' %}{{ doc.no_such_field.upper() }}{% endif %}"
    page.write_text("\n".join(lines) + "\n")
    version = _upload(client, legal, _zip(folder)).json
    published = client.post(
        f"/api/v1/template-versions/{version['id']}/publish",
        headers=bearer(app, "legal2@example.com"),
    )
    assert published.status_code == 200, published.json

    body = plain_quote_request(app)
    body["data"]["po_number"] = "PO-BROKEN"
    runtime = app.extensions["contractdesk"]
    counts = row_counts(runtime)
    with caplog.at_level("ERROR", logger="app.documents.renders"):
        answer = client.post("/api/v1/documents", json=body, headers={**support, **WAIT})
    assert answer.status_code == 422
    assert answer.json["type"] == "/problems/render-failed"
    assert "template quote.html, line 12:" in answer.json["detail"]
    assert "no_such_field" in answer.json["detail"]
    assert answer.headers["Location"] == answer.json["document"]
    assert any("quote.html, line 12" in r.getMessage() for r in caplog.records)
    failed = client.get(answer.headers["Location"], headers=support).json
    assert failed["render_status"] == "failed" and not any(failed["files"].values())
    assert failed["render_error"].startswith("template quote.html, line 12:")
    unsent = client.post(
        f"{answer.headers['Location']}/send",
        json={"signers": [{"name": "Helen Marsh", "email": "h.marsh@example.ac.uk"}]},
        headers=support,
    )
    assert unsent.status_code == 409
    assert "no files for version 1 yet (failed)" in unsent.json["detail"]
    # The document, its version's inputs and its audit are kept; no file row, no object.
    after = row_counts(runtime)
    assert after["document_file"] == counts["document_file"]
    assert after["stored objects"] == counts["stored objects"]
    assert after["document"] == counts["document"] + 1
    second = client.post(
        "/api/v1/documents", json=plain_quote_request(app), headers={**support, **WAIT}
    )
    assert second.status_code == 201
    assert second.json["number"].endswith("-000002")


def test_an_upload_whose_html_does_not_compile_is_refused_with_file_and_line(
    app: APIFlask, tmp_path: Path
) -> None:
    folder = _quote_copy(tmp_path)
    page = folder / "quote.html"
    lines = page.read_text().splitlines()
    lines[20] += " {% for line in lines %}"
    page.write_text("\n".join(lines) + "\n")
    runtime = app.extensions["contractdesk"]
    legal = bearer(app, "legal@example.com")
    counts = row_counts(runtime)
    cache = runtime.settings.template_cache_dir
    cached = set(cache.iterdir())
    answer = _upload(app.test_client(), legal, _zip(folder))
    assert answer.status_code == 422
    assert answer.json["detail"].startswith("template quote.html, line ")
    assert "endfor" in answer.json["detail"]
    assert row_counts(runtime) == counts
    assert set(cache.iterdir()) == cached  # nothing of the refused upload is kept
