"""Customer data is data: a name, an address, notes or a PO number that look like Markdown
or HTML appear in the contract exactly as typed, make no link and fetch nothing. Only the
clause library's reviewed text is formatted."""

from __future__ import annotations

import io
import json
import re
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from apiflask import APIFlask
from pypdf import PdfReader

from app.config import PROJECT_ROOT
from tests.conftest import WAIT, account_id, bearer

LINK = "[click](https://evil.example/phish)"
BOLD = "**bold**"
SCRIPT = "<script>alert(1)</script>"
METADATA_IMAGE = "![img](http://169.254.169.254/latest/meta-data/)"
AUTOLINK = "<https://evil.example/auto>"
ENTITY = "&lt;b&gt;"
HEADING = "# Void"


@pytest.fixture
def pixel_server() -> Iterator[tuple[str, list[str]]]:
    """Where a smuggled image would be fetched from, counting every request."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/pixel.png", hits
    server.shutdown()
    server.server_close()


def _flat(text: str) -> str:
    """Without white space: a PDF's text breaks lines (and so adds spaces) where it wraps."""
    return "".join(text.split())


def _file(app: APIFlask, document_id: str, kind: str) -> bytes:
    answer = app.test_client().get(
        f"/api/v1/documents/{document_id}/files/{kind}",
        headers=bearer(app, "support@example.com"),
    )
    assert answer.status_code == 200, answer.data[:300]
    return answer.data


def _links(pdf: bytes) -> list[str]:
    """The target of every link annotation in the PDF."""
    found = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for ref in page.get("/Annots") or []:
            annotation = ref.get_object()
            action = annotation.get("/A") or {}
            found.append(str(action.get("/URI") or action.get("/D") or annotation.get("/Dest")))
    return found


def _docx_text_and_targets(docx: bytes) -> tuple[str, str]:
    with zipfile.ZipFile(io.BytesIO(docx)) as package:
        xml = package.read("word/document.xml").decode()
        rels = package.read("word/_rels/document.xml.rels").decode()
    text = "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml))
    return _unescape(text), rels


def _unescape(xml_text: str) -> str:
    return xml_text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def test_markdown_and_html_in_a_customer_name_stay_text_in_the_licence(
    app: APIFlask, pixel_server: tuple[str, list[str]]
) -> None:
    pixel, hits = pixel_server
    name = f"{LINK} {BOLD} {SCRIPT} {METADATA_IMAGE} ![p]({pixel}) {AUTOLINK} {ENTITY}"
    data: dict[str, Any] = json.loads(
        (PROJECT_ROOT / "contract_templates/licence-agreement/sample.json").read_text()
    )
    data["account"] = {**data["account"], "name": name, "address": f"{HEADING}\n- {LINK}"}
    data["po_number"] = "PO-1 *x*"
    data["authorised_users"] = f"Staff {LINK}"
    created = app.test_client().post(
        "/api/v1/documents",
        json={"template": "licence-agreement", "data": data},
        headers={**bearer(app, "support@example.com"), **WAIT},
    )
    assert created.status_code == 201, created.json
    pdf = _file(app, created.json["id"], "pdf")

    text = _flat(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))
    for literal in (
        LINK,
        BOLD,
        SCRIPT,
        METADATA_IMAGE,
        f"![p]({pixel})",
        AUTOLINK,
        ENTITY,
        HEADING,
        "PO-1 *x*",
    ):
        assert _flat(literal) in text, literal
    # the name is printed in the parties, the particulars and the signature block, each time
    # as typed (the clauses say "the Licensee"; the quote's clauses print the name)
    assert text.count(_flat(name)) >= 3
    assert not [t for t in _links(pdf) if "evil" in t or "169.254" in t or "127.0.0.1" in t]
    assert hits == []

    words, rels = _docx_text_and_targets(_file(app, created.json["id"], "docx"))
    assert _flat(name) in _flat(words) and "evil.example" not in rels


def test_a_link_in_a_customer_name_makes_no_link_annotation(app: APIFlask) -> None:
    data: dict[str, Any] = json.loads(
        (PROJECT_ROOT / "contract_templates/licence-agreement/sample.json").read_text()
    )
    data["account"] = {**data["account"], "name": f"{LINK} {AUTOLINK}"}
    created = app.test_client().post(
        "/api/v1/documents",
        json={"template": "licence-agreement", "data": data},
        headers={**bearer(app, "support@example.com"), **WAIT},
    )
    assert created.status_code == 201, created.json
    pdf = _file(app, created.json["id"], "pdf")
    assert not [t for t in _links(pdf) if "evil" in t]
    text = _flat(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))
    assert text.count(_flat(f"{LINK} {AUTOLINK}")) >= 3


def test_markdown_in_a_customer_name_stays_text_in_the_quotes_clauses(app: APIFlask) -> None:
    name = f"{LINK} {BOLD} {HEADING}"
    data: dict[str, Any] = json.loads(
        (PROJECT_ROOT / "contract_templates/licence-agreement/sample.json").read_text()
    )
    body = {
        "template": "quote",
        "data": {
            "account": {**data["account"], "name": name},
            "currency": "EUR",
            "lines": [{"description": "Training", "unit_price": "950.00", "quantity": 1}],
        },
    }
    created = app.test_client().post(
        "/api/v1/documents", json=body, headers={**bearer(app, "support@example.com"), **WAIT}
    )
    assert created.status_code == 201, created.json
    pdf = _file(app, created.json["id"], "pdf")
    text = _flat(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))
    # the heading, the acceptance and access clauses (Markdown) and the signature block
    assert text.count(_flat(name)) >= 4
    assert not [t for t in _links(pdf) if "evil" in t]


def test_quote_notes_and_an_account_name_stay_text_in_the_quote(app: APIFlask) -> None:
    body: dict[str, Any] = {
        "template": "quote",
        "data": {
            "account": account_id(app.extensions["contractdesk"], "University"),
            "currency": "GBP",
            "po_number": f"PO {BOLD}",
            "notes": f"{LINK}\n\n{SCRIPT} {METADATA_IMAGE}",
            "lines": [{"description": f"Training {LINK}", "unit_price": "950.00", "quantity": 1}],
        },
    }
    created = app.test_client().post(
        "/api/v1/documents", json=body, headers={**bearer(app, "support@example.com"), **WAIT}
    )
    assert created.status_code == 201, created.json
    pdf = _file(app, created.json["id"], "pdf")
    text = _flat(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))
    for literal in (LINK, SCRIPT, METADATA_IMAGE, f"PO {BOLD}", f"Training {LINK}"):
        assert _flat(literal) in text, literal
    assert not [t for t in _links(pdf) if "evil" in t or "169.254" in t]
