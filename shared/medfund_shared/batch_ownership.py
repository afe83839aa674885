"""One owner per file batch at a time, for every service that processes uploaded files (billing, enrollment).

A batch row carries a lease: ``owner`` (the instance working on it) and ``lease_expires_at``. An instance
claims an open batch whose lease is free or expired, renews the lease while it works, and writes each chunk in
a transaction that first *fences* on the lease: the chunk commits only if the row still names this instance as
its owner. So two instances never apply the same batch, and an instance that lost its batch (it stalled past
the lease, another took over) stops at its next chunk instead of applying it a second time. A crashed owner's
batch is claimed by another instance once the lease expires and resumes from the last committed chunk, which
the batch row records.

The rules are plain functions of a ``Lease`` and the time (unit-tested with a fake clock); ``SqlLeases`` is the
same rules as statements on a service's batch table; ``BatchWorker`` is the loop each instance runs.
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

import structlog
from sqlalchemy import Column, ColumnElement, Table, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from medfund_shared.settings import Settings
from medfund_shared.unit_of_work import SqlUnitOfWork

log = structlog.get_logger(__name__)
Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """Lease times only (never a business date): when a lease runs out."""
    return datetime.now(UTC)


def new_owner_id() -> str:
    """A fresh id per process start, so a restarted instance never mistakes a batch it held before for its own."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class LeaseLost(Exception):
    """Another instance owns the batch now; the work in hand must not be committed."""


@dataclass(frozen=True, slots=True)
class Lease:
    owner: str | None
    expires_at: datetime | None

    def free_at(self, now: datetime) -> bool:
        """No live owner: never claimed, given up, or left by an owner that stopped renewing it."""
        return self.owner is None or self.expires_at is None or self.expires_at <= now

    def claimable_by(self, owner: str, now: datetime) -> bool:
        """Free, or already ``owner``'s."""
        return self.owner == owner or self.free_at(now)

    def claimed(self, owner: str, now: datetime, length: timedelta) -> Lease:
        if not self.claimable_by(owner, now):
            raise LeaseLost(f"held by {self.owner} until {self.expires_at}")
        return Lease(owner, now + length)

    def renewed(self, owner: str, now: datetime, length: timedelta) -> Lease:
        """Only the owner renews, even past the expiry as long as nobody claimed the batch meanwhile."""
        if self.owner != owner:
            raise LeaseLost(f"held by {self.owner}")
        return Lease(owner, now + length)


FREE = Lease(None, None)


class LeaseStore(Protocol):
    """Where the leases of one kind of batch live (``SqlLeases`` on a service's table; a fake in unit tests)."""

    async def claim_next(self, owner: str) -> str | None: ...

    async def renew(self, batch_id: str, owner: str) -> None: ...

    async def give_up(self, batch_id: str, owner: str) -> None: ...


class SqlLeases:
    """The rules of ``Lease`` on ``table``: its ``owner`` and ``lease_expires_at`` columns; ``open`` selects the
    batches still to be worked on (e.g. ``status = 'processing'``)."""

    def __init__(self, table: Table, key: Column, open_: ColumnElement[bool],
                 sessions: async_sessionmaker[AsyncSession], length: timedelta, clock: Clock = system_clock) -> None:
        self.table, self.key, self.open, self.sessions = table, key, open_, sessions
        self.length, self.clock = length, clock
        self.owner_column, self.expires_column = table.c.owner, table.c.lease_expires_at

    def _free(self, now: datetime) -> ColumnElement[bool]:
        return or_(self.owner_column.is_(None), self.expires_column.is_(None), self.expires_column <= now)

    def _claimable(self, owner: str, now: datetime) -> ColumnElement[bool]:
        return or_(self.owner_column == owner, self._free(now))

    async def claim(self, session: AsyncSession, batch_id: str, owner: str) -> bool:
        """Take ``batch_id`` if it is open and claimable, in the caller's transaction."""
        now = self.clock()
        taken = await session.scalar(
            update(self.table).where(self.key == batch_id, self.open, self._claimable(owner, now))
            .values({self.owner_column: owner, self.expires_column: now + self.length}).returning(self.key))
        return taken is not None

    async def claim_next(self, owner: str) -> str | None:
        """The oldest free open batch, now ``owner``'s (rows another instance is claiming are skipped).

        A batch ``owner`` itself holds under a live lease is not free: this instance is already applying it (a
        request applying its own upload), and the worker taking it too would make two appliers of one batch,
        whose chunks fence on the same row and fail each other's serialization (issue 22)."""
        async with self.sessions() as session:
            now = self.clock()
            candidate = await session.scalar(
                select(self.key).where(self.open, self._free(now))
                .order_by(self.table.c.created_at).limit(1).with_for_update(skip_locked=True))
            if candidate is not None:
                await session.execute(update(self.table).where(self.key == candidate).values(
                    {self.owner_column: owner, self.expires_column: now + self.length}))
            await session.commit()
            return candidate

    async def fence(self, session: AsyncSession, batch_id: str, owner: str) -> None:
        """First statement of a chunk's transaction: renew the lease and lock the batch row, or ``LeaseLost``.

        The row lock holds until the chunk commits, so a competing claim waits for it and then sees the lease
        this chunk renewed."""
        now = self.clock()
        renewed = await session.scalar(
            update(self.table).where(self.key == batch_id, self.owner_column == owner)
            .values({self.expires_column: now + self.length}).returning(self.key))
        if renewed is None:
            raise LeaseLost(batch_id)

    async def renew(self, batch_id: str, owner: str) -> None:
        """The heartbeat: renew the lease unless a chunk holds the row (its fence has just renewed it).

        Never waiting for the row keeps the heartbeat from queueing behind a chunk and then committing just as
        the next chunk fences (under REPEATABLE READ, which enrollment's chunks use, that chunk would fail)."""
        async with self.sessions() as session:
            holder = (await session.execute(select(self.owner_column).where(self.key == batch_id)
                                            .with_for_update(skip_locked=True))).first()
            if holder is None:
                return
            if holder.owner != owner:
                raise LeaseLost(batch_id)
            await session.execute(update(self.table).where(self.key == batch_id)
                                  .values({self.expires_column: self.clock() + self.length}))
            await session.commit()

    async def give_up(self, batch_id: str, owner: str) -> None:
        """Free the lease at once (a stopping instance), so another instance need not wait for it to expire."""
        async with self.sessions() as session:
            await session.execute(update(self.table).where(self.key == batch_id, self.owner_column == owner)
                                  .values({self.owner_column: None, self.expires_column: None}))
            await session.commit()

    async def release(self, session: AsyncSession, batch_id: str, owner: str, **values) -> None:
        """Give the batch up (setting ``values``, e.g. its final status) in the caller's transaction."""
        released = await session.scalar(
            update(self.table).where(self.key == batch_id, self.owner_column == owner)
            .values({self.owner_column: None, self.expires_column: None, **values}).returning(self.key))
        if released is None:
            raise LeaseLost(batch_id)


@dataclass(frozen=True, slots=True)
class Ownership:
    """What a batch's processing holds while it runs: who it is, to fence each chunk's transaction with."""

    batch_id: str
    owner: str


Process = Callable[[Ownership], Awaitable[None]]


@dataclass(frozen=True)
class HeldBatch:
    """A batch as its owner's use cases see it (billing's tax files, enrollment's bulk files): each chunk's unit of
    work claims or fences on the lease first, and the last one releases it with the batch's final status."""

    leases: SqlLeases
    ownership: Ownership

    @property
    def batch_id(self) -> str:
        return self.ownership.batch_id

    async def claim(self, uow: SqlUnitOfWork) -> bool:
        return await self.leases.claim(uow.session, self.batch_id, self.ownership.owner)

    async def fence(self, uow: SqlUnitOfWork) -> None:
        """First write of a chunk's transaction: ``LeaseLost`` if another instance owns the batch now."""
        await self.leases.fence(uow.session, self.batch_id, self.ownership.owner)

    async def release(self, uow: SqlUnitOfWork, status: str) -> None:
        await self.leases.release(uow.session, self.batch_id, self.ownership.owner, status=status,
                                  finished_at=func.now())


class BatchWorker:
    """Claims batches without a live owner, one at a time, and processes each while a heartbeat renews its lease.

    ``process(ownership)`` must fence every transaction it commits (``SqlLeases.fence``) and release the batch
    when it is finished. If a renewal finds the lease lost, the processing is cancelled: its open chunk rolls
    back and the new owner carries on from the last committed one.
    """

    def __init__(self, name: str, leases: LeaseStore, process: Process, settings: Settings,
                 owner: str | None = None) -> None:
        self.name, self.leases, self.process = name, leases, process
        self.owner = owner or new_owner_id()
        self.heartbeat_seconds, self.poll_seconds = settings.batch_heartbeat_seconds, settings.batch_poll_seconds
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Look for work now (a batch was just uploaded to this instance)."""
        self._wake.set()

    async def run(self) -> None:
        """Forever: the background job of the service (cancelled at shutdown)."""
        while True:
            self._wake.clear()
            try:
                batch_id = await self.leases.claim_next(self.owner)
            except Exception:
                log.exception("batch_claim_failed", worker=self.name)
                batch_id = None
            if batch_id is None:
                try:
                    await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
                except TimeoutError:
                    pass
                continue
            await self.work_on(batch_id)

    async def work_on(self, batch_id: str) -> None:
        """Process one claimed batch under its heartbeat; errors are logged, the lease then runs out."""
        log.info("batch_claimed", worker=self.name, batch_id=batch_id, owner=self.owner)
        work = asyncio.create_task(self.process(Ownership(batch_id, self.owner)))
        heartbeat = asyncio.create_task(self._keep(batch_id, until=work.done, on_lost=work.cancel))
        try:
            await work
        except asyncio.CancelledError:
            if asyncio.current_task().cancelling():
                await self._give_up(batch_id, heartbeat, work)
                raise
            log.warning("batch_lease_lost", worker=self.name, batch_id=batch_id)
        except LeaseLost:
            log.warning("batch_lease_lost", worker=self.name, batch_id=batch_id)
        except Exception:
            log.exception("batch_failed", worker=self.name, batch_id=batch_id)
        finally:
            heartbeat.cancel()
            work.cancel()
            await asyncio.gather(heartbeat, work, return_exceptions=True)

    async def _give_up(self, batch_id: str, heartbeat: asyncio.Task, work: asyncio.Task) -> None:
        """This instance is stopping: its open chunk rolls back and the batch is free for another at once."""
        heartbeat.cancel()
        work.cancel()
        await asyncio.gather(heartbeat, work, return_exceptions=True)
        try:
            await self.leases.give_up(batch_id, self.owner)
        except Exception:
            log.warning("batch_give_up_failed", worker=self.name, batch_id=batch_id)

    @asynccontextmanager
    async def holding(self, batch_id: str) -> AsyncIterator[Ownership]:
        """Renew the lease of a batch this instance claimed itself (an upload applied in its own request) while
        the body runs. A lost lease stops the renewals; the body's next fence then raises ``LeaseLost``."""
        heartbeat = asyncio.create_task(self._keep(batch_id, until=lambda: False, on_lost=lambda: None))
        try:
            yield Ownership(batch_id, self.owner)
        finally:
            heartbeat.cancel()
            await asyncio.gather(heartbeat, return_exceptions=True)

    async def _keep(self, batch_id: str, until: Callable[[], bool], on_lost: Callable[[], object]) -> None:
        while not until():
            await asyncio.sleep(self.heartbeat_seconds)
            try:
                await self.leases.renew(batch_id, self.owner)
            except LeaseLost:
                log.warning("batch_lease_lost", worker=self.name, batch_id=batch_id)
                on_lost()
                return
            except Exception:
                log.warning("batch_heartbeat_failed", worker=self.name, batch_id=batch_id)
