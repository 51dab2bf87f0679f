"""Headers that keep a browser on our side: every page has a nonce-based CSP and cannot be
framed; only the signing page may be framed, and only by the origins set for embedded
signing; HSTS goes out over TLS only, and X-Forwarded-Proto counts only from a trusted
proxy."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from apiflask import APIFlask
from flask.testing import FlaskClient

from tests.conftest import PASSWORD, bearer, build_app, csrf_token, make_settings
from tests.support.flows import create_and_send
from tests.web.test_access_matrix import PAGES, _login

CRM = "https://crm.example"


@pytest.fixture
def make_app(postgres_url: str, tmp_path: Path, instance_dir: Path) -> Iterator[Any]:
    built: list[APIFlask] = []

    def make(**extra: Any) -> APIFlask:
        app = build_app(make_settings(postgres_url, tmp_path, instance_dir, **extra))
        built.append(app)
        return app

    yield make
    for app in built:
        app.extensions["contractdesk"].close()


def _policy(answer: Any) -> dict[str, str]:
    header = answer.headers["Content-Security-Policy"]
    return {
        part.split(" ", 1)[0]: part.split(" ", 1)[1] if " " in part else ""
        for part in (p.strip() for p in header.split(";"))
    }


def _assert_page_headers(answer: Any, where: str) -> None:
    policy = _policy(answer)
    nonce = re.fullmatch(r"'nonce-([A-Za-z0-9_-]{20,})' 'self'", policy["script-src"])
    assert nonce, (where, policy)
    assert policy["style-src"] == policy["script-src"], where
    assert "unsafe-inline" not in answer.headers["Content-Security-Policy"], where
    assert "unsafe-eval" not in answer.headers["Content-Security-Policy"], where
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'", where
    assert answer.headers["X-Frame-Options"] == "DENY", where
    assert answer.headers["X-Content-Type-Options"] == "nosniff", where
    assert answer.headers["Referrer-Policy"] == "strict-origin-when-cross-origin", where
    assert "camera=()" in answer.headers["Permissions-Policy"], where
    assert "Strict-Transport-Security" not in answer.headers, where  # plain HTTP
    html = answer.text
    for tag in re.findall(r"<(?:script|style)\b[^>]*>", html):
        assert "src=" in tag or f'nonce="{nonce.group(1)}"' in tag, (where, tag)
    assert not re.search(r"\sstyle=", html), where  # CSP refuses style attributes
    assert not re.search(r"\son[a-z]+=", html), where  # and inline event handlers


def test_every_page_sends_the_security_headers(app: APIFlask) -> None:
    quote = create_and_send(app)[0]
    client = app.test_client()
    for path in ("/login", "/api/docs", "/no-such-page"):
        _assert_page_headers(client.get(path), path)
    for role in ("admin", "manager"):
        _login(client, f"{role}@example.com")
        for path in PAGES:
            answer = client.get(path.format(quote=quote))
            if answer.mimetype == "text/html":
                _assert_page_headers(answer, f"{role} {path}")
            else:
                assert answer.headers["X-Content-Type-Options"] == "nosniff", path
                assert answer.headers["X-Frame-Options"] == "DENY", path


def test_every_request_gets_a_new_nonce(client: FlaskClient) -> None:
    first, second = (_policy(client.get("/login"))["script-src"] for _ in range(2))
    assert first != second


def test_api_answers_send_a_deny_all_policy(app: APIFlask) -> None:
    client = app.test_client()
    for answer in (
        client.get("/api/v1/documents", headers=bearer(app, "support@example.com")),
        client.get("/api/v1/documents"),  # a problem document
        client.get("/api/openapi.json"),
    ):
        assert _policy(answer) == {"default-src": "'none'", "frame-ancestors": "'none'"}
        assert answer.headers["X-Frame-Options"] == "DENY"
        assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_the_signing_page_is_not_framed_when_no_origin_is_set(app: APIFlask) -> None:
    _, link = create_and_send(app)
    client = app.test_client()
    for path in (link, f"{link}/pages/1.png", f"{link}/document.pdf", "/sign/no-such-token"):
        answer = client.get(path)
        assert _policy(answer)["frame-ancestors"] == "'none'", path
        assert answer.headers["X-Frame-Options"] == "DENY", path
        assert answer.headers["Referrer-Policy"] == "no-referrer", path  # the token is in the URL


def test_the_signing_page_is_framed_only_by_the_embedding_origins(make_app: Any) -> None:
    app = make_app(embed_origins=(CRM, "https://portal.example:8443"))
    _, link = create_and_send(app)
    client = app.test_client()
    for path in (link, f"{link}/pages/1.png", f"{link}/document.pdf"):
        answer = client.get(path)
        policy = _policy(answer)
        assert policy["frame-ancestors"] == f"{CRM} https://portal.example:8443", path
        assert "X-Frame-Options" not in answer.headers, path
        assert answer.headers["Referrer-Policy"] == "no-referrer", path
    page = client.get("/login")  # every other page still refuses every frame
    assert _policy(page)["frame-ancestors"] == "'none'"
    assert page.headers["X-Frame-Options"] == "DENY"


def test_a_framed_signer_signs_without_a_cookie_or_referrer(make_app: Any) -> None:
    """In a third-party frame the browser keeps our SameSite=Lax cookie to itself and the
    page sends no referrer: the link's token alone lets its signer sign."""
    app = make_app(embed_origins=(CRM,), trusted_proxies=1)
    _, link = create_and_send(app)
    page = app.test_client().get(link)
    assert "Set-Cookie" not in page.headers and "csrf_token" not in page.text
    signed = app.test_client().post(
        link,
        data={"typed_name": "Helen Marsh", "consent": "yes"},
        headers={"X-Forwarded-Proto": "https", "Origin": CRM},
    )
    assert signed.status_code == 200, signed.text


def test_an_origin_that_is_not_an_origin_is_refused_at_start_up(make_app: Any) -> None:
    for bad in ("crm.example", "https://crm.example/path", "https://a.example; script-src *"):
        with pytest.raises(ValueError, match="not an origin"):
            make_app(embed_origins=(bad,))


def test_hsts_only_over_tls(app: APIFlask) -> None:
    client = app.test_client()
    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = client.get("/login", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")
    forged = client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in forged.headers  # no proxy is trusted


def test_hsts_behind_a_trusted_proxy(make_app: Any) -> None:
    client = make_app(trusted_proxies=1).test_client()
    assert "Strict-Transport-Security" not in client.get("/login").headers
    proxied = client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert proxied.headers["Strict-Transport-Security"].startswith("max-age=")
    plain = client.get("/login", headers={"X-Forwarded-Proto": "http"})
    assert "Strict-Transport-Security" not in plain.headers


def test_login_still_works_over_tls_behind_the_proxy(make_app: Any) -> None:
    """Over HTTPS the CSRF check also wants a same-origin referrer, which our
    Referrer-Policy still sends to ourselves."""
    client = make_app(trusted_proxies=1).test_client()
    https = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "desk.example"}
    page = client.get("/login", headers=https)
    answer = client.post(
        "/login",
        data={
            "email": "support@example.com",
            "password": PASSWORD,
            "csrf_token": csrf_token(page.text),
        },
        headers={**https, "Referer": "https://desk.example/login"},
    )
    assert answer.status_code == 302 and answer.headers["Location"] == "/"
