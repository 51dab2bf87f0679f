"""gunicorn for the web process: `gunicorn -c gunicorn.conf.py` (settings from the environment)."""

import gc
import logging
import os

from prometheus_client import multiprocess

from app.observability.logging import RedactSecrets
from app.observability.logging import configure as configure_logging

wsgi_app = "app:create_app()"
bind = os.environ.get("CONTRACTDESK_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("CONTRACTDESK_THREADS", "4"))
timeout = 120  # a long licence renders in seconds; leave room, but not forever
graceful_timeout = 30
keepalive = 5
accesslog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_fork(server, worker):
    configure_logging(os.environ.get("CONTRACTDESK_LOG_LEVEL", "INFO"))
    logging.getLogger("gunicorn.access").addFilter(RedactSecrets())  # signing links' tokens


def post_worker_init(worker):
    # What the app holds once loaded (modules, templates, the clause library) lives as long
    # as the worker: frozen, the collector's full passes no longer walk it, which cost
    # requests over a tenth of a second every few seconds under load.
    gc.freeze()


def child_exit(server, worker):
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        multiprocess.mark_process_dead(worker.pid)
