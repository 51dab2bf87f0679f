"""The unit of work: one transaction per use case, and what must happen after it commits."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session, sessionmaker

from app.observability.context import current_request_id

if TYPE_CHECKING:
    from app.config import Settings
    from app.jobs.interfaces import JobQueue
    from app.storage.interfaces import BlobStorage


class UnitOfWork:
    """`with uow: ...; uow.commit()`. Leaving the block without commit rolls back.

    Jobs asked for with `enqueue` leave only after the commit, so a worker never sees
    an id that a rolled-back transaction would have created.
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
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back whatever was not committed; unlike rollback() it leaves the
        # loaded objects readable, so a use case can return what it read.
        self.session.close()
        self._session = None

    def commit(self) -> None:
        self.session.commit()
        hooks, self._after_commit = self._after_commit, []
        for hook in hooks:
            hook()

    def enqueue(self, task: str, **kwargs: Any) -> None:
        request_id = current_request_id()
        self._after_commit.append(lambda: self.jobs.enqueue(task, kwargs, request_id=request_id))
