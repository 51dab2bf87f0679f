"""For operators and load balancers: liveness, readiness, metrics; request ids and counts;
and the icon every browser asks for at /favicon.ico on its own."""

from __future__ import annotations

import hmac

from apiflask import APIFlask
from flask import Blueprint, Response, abort, current_app, g, jsonify, request

from app.observability.context import new_request_id, set_request_id
from app.observability.metrics import QUEUE_DEPTH, REQUESTS, exposition
from app.web import health
from app.web.context import runtime

bp = Blueprint("ops", __name__)

REQUEST_ID_HEADER = "X-Request-ID"


@bp.get("/favicon.ico")
def favicon() -> Response:
    return current_app.send_static_file("favicon.svg")


@bp.get("/healthz")
def healthz() -> Response:
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    checks = health.readiness(runtime())
    ready = all(v in {"ok", "in-process", "celery"} for v in checks.values())
    return jsonify(status="ready" if ready else "not ready", checks=checks), 200 if ready else 503


def _metrics_allowed() -> bool:
    """With a token set, only a caller presenting it; without one, only the embedded default."""
    settings = runtime().settings
    if not settings.metrics_token:
        return settings.embedded
    presented = request.headers.get("Authorization", "").removeprefix("Bearer ")
    return hmac.compare_digest(presented.encode(), settings.metrics_token.encode())


@bp.get("/metrics")
def metrics() -> Response:
    if not _metrics_allowed():
        abort(404)
    QUEUE_DEPTH.labels(queue="webhook_deliveries").set(health.pending_deliveries(runtime()))
    body, content_type = exposition()
    return Response(body, content_type=content_type)


def _start_request() -> None:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = (
        incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else new_request_id()
    )
    set_request_id(g.request_id)


def _finish_request(response: Response) -> Response:
    route = request.url_rule.rule if request.url_rule else "unmatched"
    REQUESTS.labels(route=route, method=request.method, status=str(response.status_code)).inc()
    response.headers[REQUEST_ID_HEADER] = g.get("request_id", "")
    return response


def init_app(app: APIFlask) -> None:
    app.before_request(_start_request)
    app.after_request(_finish_request)
    app.teardown_request(lambda _exc: set_request_id(None))
