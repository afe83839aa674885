"""Unit of work: one transaction, its repository, and the outbox the events go to."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_enrollment.adapters.bulk import BulkStore
from medfund_enrollment.adapters.repository import Repository
from medfund_shared import outbox
from medfund_shared.errors import is_lost_race, sqlstate
from medfund_shared.events.base import EventData

SOURCE = "medfund/enrollment"
UNIQUE_VIOLATION = "23505"


def lost_race(error: Exception) -> bool:
    """Whether the transaction failed only because a concurrent one wrote the same rows first: a unique
    violation, a serialization failure or a deadlock."""
    return isinstance(error, DBAPIError) and (is_lost_race(error) or sqlstate(error) == UNIQUE_VIOLATION)


class UnitOfWork:
    """A request's transaction: the use case commits once, events included."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.repo = Repository(session)
        self.bulk = BulkStore(session)

    async def emit(self, data: EventData, effective_time: datetime) -> None:
        await outbox.add(self.session, data, source=SOURCE, effective_time=effective_time)

    async def emit_all(self, events: Sequence[tuple[EventData, datetime]]) -> None:
        """Many events in one statement (bulk import), in list order."""
        await outbox.add_many(self.session, events, source=SOURCE)

    async def read_one_snapshot(self) -> None:
        """From here to the commit every read sees the same snapshot (REPEATABLE READ); call first."""
        await self.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})

    async def commit(self) -> None:
        await self.session.commit()

    async def rollback(self) -> None:
        await self.session.rollback()


class ConsumerUnitOfWork(UnitOfWork):
    """Inside the consumer runner's batch transaction: the runner commits effects with the offsets."""

    async def commit(self) -> None:
        await self.session.flush()
