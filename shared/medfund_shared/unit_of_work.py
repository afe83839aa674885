"""The unit of work every use case takes: one transaction, its repositories, its events and its idempotency keys.

A use case is ``async def handle(command, uow)``; it enters the unit of work, reads and writes through the
repositories the service attaches, queues events with ``emit`` (the outbox, same transaction), claims and
answers idempotency keys through ``uow.idempotency``, and commits once. Leaving the block without committing
(a refusal, an error) rolls everything back, events and claims included. ``commit`` wakes the outbox relay.

Each service subclasses :class:`SqlUnitOfWork` (attaching its repositories in ``attach``) and, in its unit
tests, :class:`FakeUnitOfWorkBase` with in-memory repositories: use cases run unchanged against either.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from datetime import datetime
from typing import ClassVar, Self

from sqlalchemy.ext.asyncio import AsyncSession

from medfund_shared import outbox
from medfund_shared.events.base import EventData
from medfund_shared.idempotency import (
    DEFAULT_WAIT_SECONDS,
    IdempotencyStore,
    InMemoryIdempotencyStore,
    SqlIdempotencyStore,
)
from medfund_shared.outbox import OutboxRelay


class UnitOfWork(abc.ABC):
    """The abstract unit of work (an async context manager): rollback on exit unless committed."""

    idempotency: IdempotencyStore

    async def __aenter__(self) -> Self:
        self.committed = False
        return self

    async def __aexit__(self, *exc: object) -> None:
        if not getattr(self, "committed", False):
            await self.rollback()

    async def commit(self) -> None:
        """Make the state change, its events and its answered keys durable together; then wake the relay."""
        self.idempotency.check_answered()
        await self._commit()
        self.committed = True
        self._published()

    async def rollback(self) -> None:
        await self._rollback()
        self.idempotency.forget_claims()

    @abc.abstractmethod
    async def emit(self, data: EventData, effective_time: datetime, *, subject: str | None = None) -> None:
        """Queue an event (its business time ``effective_time``) to be published if this unit commits."""

    async def emit_all(self, events: Sequence[tuple[EventData, datetime]]) -> None:
        """Many events, in list order."""
        for data, effective_time in events:
            await self.emit(data, effective_time)

    @abc.abstractmethod
    async def _commit(self) -> None: ...

    @abc.abstractmethod
    async def _rollback(self) -> None: ...

    @abc.abstractmethod
    def _published(self) -> None:
        """After a commit: the events queued are ready for the relay."""


class SqlUnitOfWork(UnitOfWork):
    """On one SQLAlchemy session: the outbox rows and idempotency keys are written in its transaction.

    ``joined=True`` runs inside a transaction someone else owns (the consumer runner's batch, in a SAVEPOINT):
    ``commit`` only flushes, and a rollback is left to the owner, who undoes the event on the exception."""

    source: ClassVar[str]
    """The ``source`` of the events this service emits (``medfund/<service>``)."""

    def __init__(self, session: AsyncSession, *, relay: OutboxRelay | None = None, joined: bool = False,
                 idempotency_wait_seconds: float = DEFAULT_WAIT_SECONDS) -> None:
        self.session, self._relay, self._joined = session, relay, joined
        self.idempotency = SqlIdempotencyStore(session, idempotency_wait_seconds)
        self.attach(session)

    def attach(self, session: AsyncSession) -> None:
        """Attach the service's repositories to ``session`` (override)."""

    async def emit(self, data: EventData, effective_time: datetime, *, subject: str | None = None) -> None:
        await outbox.add(self.session, data, source=self.source, effective_time=effective_time, subject=subject)

    async def emit_all(self, events: Sequence[tuple[EventData, datetime]]) -> None:
        """Many events in one statement (bulk files emit thousands), in list order."""
        await outbox.add_many(self.session, events, source=self.source)

    async def _commit(self) -> None:
        if self._joined:
            await self.session.flush()
        else:
            await self.session.commit()

    async def _rollback(self) -> None:
        """Undo the session's transaction, if it began one: a unit whose work ran elsewhere (adjudication's
        settlement runs its statements on the driver) skips the round through SQLAlchemy's greenlet bridge."""
        if not self._joined and self.session.in_transaction():
            await self.session.rollback()

    def _published(self) -> None:
        if self._relay is not None and not self._joined:
            self._relay.notify()


class FakeUnitOfWorkBase(UnitOfWork):
    """For unit tests of use cases: events kept in ``events``, keys in memory, ``commits`` counted.

    A service's ``FakeUnitOfWork`` adds its in-memory repositories; a rollback after a commit keeps what was
    committed, like the database."""

    def __init__(self) -> None:
        self.idempotency = InMemoryIdempotencyStore()
        self.events: list[tuple[EventData, datetime]] = []
        self.commits = 0
        self._pending: list[tuple[EventData, datetime]] = []

    async def emit(self, data: EventData, effective_time: datetime, *, subject: str | None = None) -> None:
        self._pending.append((data, effective_time))

    async def _commit(self) -> None:
        self.events += self._pending
        self._pending = []
        self.commits += 1

    async def _rollback(self) -> None:
        self._pending = []

    def _published(self) -> None:
        """Nothing to wake: the committed events are in ``events``."""
