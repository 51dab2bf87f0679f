"""The unit of work: one transaction per use case, and what must happen after it commits."""

from __future__ import annotations

import logging
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.orm import Session, sessionmaker

from app.errors import DomainError
from app.observability.context import current_request_id
from app.storage.interfaces import StorageUnavailable

if TYPE_CHECKING:
    from app.config import Settings
    from app.jobs.interfaces import JobQueue
    from app.storage.interfaces import BlobStorage, StoredBlob

log = logging.getLogger(__name__)


class UnitOfWork:
    """`with uow: ...; uow.commit()`. Leaving the block without commit rolls back.

    Jobs asked for with `enqueue` leave only after the commit, so a worker never sees
    an id that a rolled-back transaction would have created. Objects put in storage for
    the transaction (`stored`) are discarded again when it does not commit, so no object
    outlives the rows that would have recorded it.
    """

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        *,
        storage: BlobStorage,
        jobs: JobQueue,
        settings: Settings,
    ) -> None:
        self._session_factory = session_factory
        self.storage = storage
        self.jobs = jobs
        self.settings = settings
        self._session: Session | None = None
        self._after_commit: list[Callable[[], None]] = []
        self._unrecorded: list[StoredBlob] = []

    def fork(self) -> UnitOfWork:
        """Another unit of work on the same parts, for a transaction of its own."""
        return UnitOfWork(
            self._session_factory, storage=self.storage, jobs=self.jobs, settings=self.settings
        )

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("UnitOfWork used outside its `with` block")
        return self._session

    def __enter__(self) -> UnitOfWork:
        self._session = self._session_factory()
        self._after_commit = []
        self._unrecorded = []
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back whatever was not committed; unlike rollback() it leaves the
        # loaded objects readable, so a use case can return what it read.
        try:
            self.session.close()
        finally:
            self._session = None
            self._discard_unrecorded()

    def commit(self) -> None:
        # A commit whose answer is lost may have happened: from here on, an object left
        # behind is the safe side of the doubt, never an object its row points at deleted.
        self._unrecorded = []
        self.session.commit()
        hooks, self._after_commit = self._after_commit, []
        for hook in hooks:
            hook()

    def stored(self, blob: StoredBlob) -> None:
        """`blob` was put in storage for this transaction and is recorded by it."""
        self._unrecorded.append(blob)

    def _discard_unrecorded(self) -> None:
        blobs, self._unrecorded = self._unrecorded, []
        for blob in blobs:
            try:
                self.storage.discard(blob)
            except StorageUnavailable as exc:
                log.warning("left behind %s version %s: %s", blob.key, blob.version_id, exc)

    def enqueue(self, task: str, **kwargs: Any) -> None:
        request_id = current_request_id()
        self._after_commit.append(lambda: self.jobs.enqueue(task, kwargs, request_id=request_id))

    def call_job(self, task: str, kwargs: dict[str, Any]) -> dict[str, Any]:
        """Run `task` where the configuration says and return its answer; a domain error
        raised there (it travels as JSON) is raised here again."""
        result: dict[str, Any] = self.jobs.call(
            task,
            kwargs,
            request_id=current_request_id(),
            timeout=self.settings.render_timeout_seconds,
        )
        if "error" in result:
            raise DomainError.from_dict(result["error"])
        return result


class TaskRuntime(Protocol):
    """What a background task is given (the runtime, in practice): the settings, and a fresh
    unit of work for each transaction. Task modules name this rather than `app.runtime`, so
    no module of a capability imports the runtime."""

    @property
    def settings(self) -> Settings: ...

    def unit_of_work(self) -> UnitOfWork: ...
