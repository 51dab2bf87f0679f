"""The embedded default: jobs run on a small thread pool inside the web process."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any

from app.jobs.registry import TaskRegistry

log = logging.getLogger(__name__)


class InProcessJobQueue:
    def __init__(self, tasks: TaskRegistry, workers: int = 2) -> None:
        self.tasks = tasks
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="job")
        self._pending: set[Future[Any]] = set()
        self._lock = threading.Lock()
        self._runtime: Any = None
        self._stop = threading.Event()

    def bind(self, runtime: Any) -> None:
        """The runtime each task is given (it holds this queue, hence not in __init__)."""
        self._runtime = runtime

    def enqueue(self, task: str, kwargs: dict[str, Any], *, request_id: str | None) -> None:
        self.tasks.check(task)
        future = self._executor.submit(self._run, task, kwargs, request_id)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)

    def call(
        self, task: str, kwargs: dict[str, Any], *, request_id: str | None, timeout: float
    ) -> Any:
        # The caller's thread is as good as any pool thread, and keeps its request id.
        assert self._runtime is not None, "InProcessJobQueue used before bind()"
        return self.tasks.run(self._runtime, task, kwargs, request_id)

    def _forget(self, future: Future[Any]) -> None:
        with self._lock:
            self._pending.discard(future)

    def _run(self, task: str, kwargs: dict[str, Any], request_id: str | None = None) -> None:
        assert self._runtime is not None, "InProcessJobQueue used before bind()"
        try:
            self.tasks.run(self._runtime, task, kwargs, request_id)
        except Exception:
            log.exception("job %s failed", task, extra={"job_args": kwargs})

    def wait_idle(self, timeout: float = 30.0) -> None:
        """Block until every queued job has finished (for the CLI and the tests)."""
        while True:
            with self._lock:
                pending = set(self._pending)
            if not pending:
                return
            _, not_done = wait(pending, timeout=timeout)
            if not_done:
                raise TimeoutError(f"{len(not_done)} jobs still running after {timeout}s")

    def start_periodic(self, interval_seconds: float) -> threading.Thread:
        """Run the periodic sweeps (webhook retries) every `interval_seconds`."""

        def loop() -> None:
            while not self._stop.wait(interval_seconds):
                for task in self.tasks.periodic:
                    self._run(task, {})

        thread = threading.Thread(target=loop, name="sweeps", daemon=True)
        thread.start()
        return thread

    def check(self) -> str:
        return "in-process"

    def shutdown(self) -> None:
        self._stop.set()
        self._executor.shutdown(wait=True)
