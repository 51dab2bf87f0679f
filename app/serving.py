"""`contractdesk serve`: the app on waitress, a production WSGI server, in this one process.

Why waitress and not gunicorn here: the embedded default runs its jobs on threads inside
the web process and keeps its data in one SQLite file. Waitress serves from threads of the
process that built the app, so the job threads, the sweeps and the SQLite connections live
where the requests are served, and nothing forks after they started. Gunicorn forks
workers from a master (two processes even with one worker, the app built after the fork)
and does not run on Windows; it stays the server of the scale-out shape
(`gunicorn -c gunicorn.conf.py`, the Dockerfile), where jobs run on Celery workers.

The first-run banner: `contractdesk init --demo` leaves the demo's logins and API key in
the instance folder (readable by the owner only); `serve` prints them once it listens and
removes the file, so the secrets are shown at the first start and not kept."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

import click
from waitress import create_server

from app.config import Settings

log = logging.getLogger(__name__)

FIRST_RUN_FILE = "first-run.json"
THREADS = 8
"""Requests served at once; a render holds one for seconds, the pages answer meanwhile."""


@dataclass(frozen=True)
class FirstRun:
    """What the first start shows: the demo's API key and its logins (role, email, password;
    no password when the demo users were made by an earlier run)."""

    api_key: str
    logins: list[tuple[str, str, str | None]] = field(default_factory=list)


def first_run_path(settings: Settings) -> Path:
    return settings.instance_dir / FIRST_RUN_FILE


def leave_for_first_run(settings: Settings, first_run: FirstRun) -> None:
    """Keep the demo's secrets for the banner of the next `serve` (owner-readable only)."""
    path = first_run_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        json.dump(asdict(first_run), file)


def take_first_run(settings: Settings) -> FirstRun | None:
    """The secrets `init --demo` left, removed as they are read; None when there are none."""
    path = first_run_path(settings)
    try:
        stored = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    path.unlink()
    return FirstRun(api_key=stored["api_key"], logins=[tuple(login) for login in stored["logins"]])


def banner(url: str, first_run: FirstRun | None) -> str:
    lines = [
        "",
        f"Contract Desk is listening on {url}/",
        f"  API:          {url}/api/v1  (documentation: {url}/api/docs)",
    ]
    if first_run is not None:
        lines.append("\nDemo logins:")
        for role, email, password in first_run.logins:
            shown = password or "(password shown at the first init; lost? users set-password)"
            lines.append(f"  {role:<8} {email:<24} {shown}")
        lines.append("\nDemo API key (acts as support@example.com):")
        lines.append(f"  {first_run.api_key}")
        lines.append(f'  curl -H "Authorization: Bearer {first_run.api_key}" {url}/api/v1/products')
    lines.append("\nStop with Ctrl+C.\n")
    return "\n".join(lines)


def serve(app: object, settings: Settings, host: str, port: int) -> None:
    """Listen on host:port, print the banner, serve until interrupted."""
    server = create_server(app, host=host, port=port, threads=THREADS, ident="Contract Desk")
    shown_host = f"[{host}]" if ":" in host else host
    bound_port = server.effective_port
    click.echo(banner(f"http://{shown_host}:{bound_port}", take_first_run(settings)))
    try:
        server.run()
    except KeyboardInterrupt:
        log.info("stopped")
    finally:
        server.close()
