"""Prometheus metrics. With several gunicorn workers, set PROMETHEUS_MULTIPROC_DIR (see the
README) so that /metrics adds up every worker process."""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

REQUESTS = Counter(
    "contractdesk_http_requests_total", "HTTP requests answered", ["route", "method", "status"]
)
RENDER_SECONDS = Histogram(
    "contractdesk_render_seconds",
    "Time to render one artifact",
    ["format"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60),
)
QUEUE_DEPTH = Gauge(
    "contractdesk_queue_depth",
    "Work waiting: webhook deliveries not yet delivered",
    ["queue"],
    multiprocess_mode="livemax",
)
WEBHOOK_ATTEMPTS = Counter(
    "contractdesk_webhook_attempts_total", "Webhook delivery attempts by outcome", ["outcome"]
)


def exposition() -> tuple[bytes, str]:
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST
