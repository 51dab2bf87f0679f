"""Background jobs on Celery workers (Redis or RabbitMQ as broker), for the production shape.

Every job is one Celery task, `contractdesk.run`, that names a registered task and its
id-only arguments, so a worker runs exactly the code the in-process queue runs. Messages
are acknowledged only after the task finished: a worker killed mid-task leaves its
message to be delivered again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from celery import Celery
from celery.exceptions import TimeoutError as CeleryTimeoutError
from celery.signals import worker_process_init
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

from app.config import Settings
from app.errors import Unavailable
from app.jobs.registry import TaskRegistry

log = logging.getLogger(__name__)

RUN = "contractdesk.run"
BROKER_DOWN = (OperationalError, RedisError)
"""What a broker or result backend that cannot be reached raises (Redis as itself)."""


def result_backend(settings: Settings) -> str:
    """Where a web node waits for a rendering job's answer: Redis when the broker is Redis,
    else RabbitMQ's reply queues (rpc)."""
    if settings.celery_result_backend:
        return settings.celery_result_backend
    broker = settings.celery_broker_url or ""
    return broker if broker.startswith(("redis://", "rediss://")) else "rpc://"


def make_celery(settings: Settings, tasks: TaskRegistry, runtime: Callable[[], Any]) -> Celery:
    """The Celery app that sends and runs `tasks`; a worker process builds the runtime its
    tasks are given with `runtime()`, once, after the fork."""
    celery = Celery(
        "contractdesk", broker=settings.celery_broker_url, backend=result_backend(settings)
    )
    celery.conf.update(
        worker_hijack_root_logger=False,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=False,
        result_expires=3600,
        broker_connection_retry_on_startup=True,
        task_default_queue=settings.celery_queue,
        broker_transport_options={"visibility_timeout": settings.celery_visibility_timeout},
        beat_schedule={
            task: {"task": RUN, "schedule": settings.sweep_interval_seconds, "args": (task, {})}
            for task in tasks.periodic
        },
    )
    state: dict[str, Any] = {}

    def process_runtime() -> Any:
        if "runtime" not in state:
            state["runtime"] = runtime()
        return state["runtime"]

    @worker_process_init.connect(weak=False)
    def _fresh_runtime_per_process(**_: Any) -> None:
        # Database connections must not be shared across a fork.
        state.clear()

    @celery.task(name=RUN)
    def run(task: str, kwargs: dict[str, Any], request_id: str | None = None) -> Any:
        return tasks.run(process_runtime(), task, kwargs, request_id)

    return celery


class CeleryJobQueue:
    def __init__(self, celery: Celery, tasks: TaskRegistry) -> None:
        self.celery = celery
        self.tasks = tasks

    def enqueue(self, task: str, kwargs: dict[str, Any], *, request_id: str | None) -> None:
        """Called after a commit: the change stands whatever happens here, so a broker that
        is down is logged, not raised; the periodic sweeps find the work still due."""
        self.tasks.check(task)
        try:
            # No one waits for its answer: nothing to subscribe to in the result store.
            self.celery.send_task(RUN, args=(task, kwargs, request_id), ignore_result=True)
        except BROKER_DOWN as exc:
            log.error("job %s not queued, the broker cannot be reached: %s", task, exc)

    def call(
        self, task: str, kwargs: dict[str, Any], *, request_id: str | None, timeout: float
    ) -> Any:
        self.tasks.check(task)
        try:
            # `expires`: a job no worker took up in time is dropped rather than run late.
            result = self.celery.send_task(RUN, args=(task, kwargs, request_id), expires=timeout)
            return result.get(timeout=timeout, disable_sync_subtasks=False)
        except CeleryTimeoutError as exc:
            raise Unavailable(
                f"no worker finished the {task} job within {timeout:.0f} s; try again later"
            ) from exc
        except BROKER_DOWN as exc:
            raise Unavailable(f"the job broker cannot be reached: {exc}") from exc

    def check(self) -> str:
        try:
            with self.celery.connection_for_write() as connection:
                connection.ensure_connection(max_retries=1, timeout=2)
        except Exception as exc:
            raise Unavailable(f"the job broker cannot be reached: {exc}") from exc
        return "celery"

    def shutdown(self) -> None:
        self.celery.close()
