"""Everything a use case needs from the outside world, built once from `Settings`.

The web app, the CLI and the job workers each build one runtime (through `app/entry.py`,
which hands it the registered tasks); nothing is built at import time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app import models  # noqa: F401 - every mapper known before the first flush
from app.assembly import sandbox
from app.config import Settings
from app.db import make_engine, make_session_factory
from app.jobs.inprocess import InProcessJobQueue
from app.jobs.interfaces import JobQueue
from app.jobs.registry import TaskRegistry
from app.storage.interfaces import BlobStorage
from app.storage.local import LocalBlobStorage
from app.uow import UnitOfWork

if TYPE_CHECKING:
    from celery import Celery


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    storage: BlobStorage
    jobs: JobQueue

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(
            self.session_factory, storage=self.storage, jobs=self.jobs, settings=self.settings
        )

    def close(self) -> None:
        self.jobs.shutdown()
        self.engine.dispose()


def build_storage(settings: Settings) -> BlobStorage:
    if settings.storage == "s3":
        from app.storage.s3 import S3BlobStorage

        return S3BlobStorage(
            bucket=settings.s3_bucket,
            endpoint_url=settings.s3_endpoint_url,
            lock_days=settings.s3_lock_days,
            presign_seconds=settings.s3_presign_seconds,
        )
    return LocalBlobStorage(settings.storage_dir)


def build_celery(settings: Settings, tasks: TaskRegistry) -> Celery:
    """The Celery app of a web node (sending) and of a worker (running, each process with a
    runtime of its own)."""
    from app.jobs.celery import make_celery

    return make_celery(settings, tasks, lambda: build_runtime(settings, tasks=tasks))


def build_jobs(settings: Settings, tasks: TaskRegistry) -> JobQueue:
    if settings.celery_broker_url:
        from app.jobs.celery import CeleryJobQueue

        return CeleryJobQueue(build_celery(settings, tasks), tasks)
    return InProcessJobQueue(tasks)


def build_runtime(settings: Settings, *, tasks: TaskRegistry) -> Runtime:
    """Everything from `settings`; the job queue runs `tasks` (see `app/entry.py`)."""
    sandbox.configure(settings.render_limits)
    engine = make_engine(settings.database_url)
    jobs = build_jobs(settings, tasks)
    runtime = Runtime(
        settings=settings,
        engine=engine,
        session_factory=make_session_factory(engine),
        storage=build_storage(settings),
        jobs=jobs,
    )
    if isinstance(jobs, InProcessJobQueue):
        jobs.bind(runtime)
    return runtime
