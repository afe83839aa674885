"""Unit of work: one transaction, its repository, and the outbox the events go to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from medfund_enrollment.adapters.repository import Repository
from medfund_shared import outbox
from medfund_shared.events.base import EventData

SOURCE = "medfund/enrollment"


class UnitOfWork:
    """A request's transaction: the use case commits once, events included."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.repo = Repository(session)

    async def emit(self, data: EventData, effective_time: datetime) -> None:
        await outbox.add(self.session, data, source=SOURCE, effective_time=effective_time)

    async def commit(self) -> None:
        await self.session.commit()

    async def rollback(self) -> None:
        await self.session.rollback()

    def savepoint(self):
        return self.session.begin_nested()


class ConsumerUnitOfWork(UnitOfWork):
    """Inside the consumer runner's batch transaction: the runner commits effects with the offsets."""

    async def commit(self) -> None:
        await self.session.flush()
