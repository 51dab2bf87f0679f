"""`contractdesk worker` (or `beat`) run as real processes, as an operator runs them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from app.config import Settings

WORKER = ("worker", "--concurrency", "1", "--without-gossip", "--without-mingle")


class Worker:
    """`contractdesk worker` (or `beat`) as its own process group, as an operator runs it."""

    def __init__(self, settings: Settings, log: Path, command: tuple[str, ...] = WORKER) -> None:
        self.command = command
        self.env = {
            **os.environ,
            "DATABASE_URL": settings.database_url,
            "CELERY_BROKER_URL": str(settings.celery_broker_url),
            "CONTRACTDESK_CELERY_QUEUE": settings.celery_queue,
            "CONTRACTDESK_CELERY_VISIBILITY_TIMEOUT": str(settings.celery_visibility_timeout),
            "CONTRACTDESK_WEBHOOK_LEASE": str(settings.webhook_lease_seconds),
            "CONTRACTDESK_STORAGE_DIR": str(settings.storage_dir),
            "CONTRACTDESK_INSTANCE_DIR": str(settings.instance_dir),
            "CONTRACTDESK_SWEEP_INTERVAL": str(settings.sweep_interval_seconds),
        }
        if settings.outbound_allow is not None:
            self.env["CONTRACTDESK_OUTBOUND_ALLOW"] = settings.outbound_allow
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "app.cli", *self.command],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
