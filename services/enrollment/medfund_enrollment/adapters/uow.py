"""Enrollment's unit of work: the shared one (:mod:`medfund_shared.unit_of_work`) with its repositories."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_enrollment.adapters.bulk import BulkStore
from medfund_enrollment.adapters.repository import Repository
from medfund_shared.context import ServiceContext
from medfund_shared.errors import UNIQUE_VIOLATION, is_lost_race, sqlstate
from medfund_shared.events import sources
from medfund_shared.unit_of_work import SqlUnitOfWork


def lost_race(error: Exception) -> bool:
    """Whether the transaction failed only because a concurrent one wrote the same rows first: a unique
    violation, a serialization failure or a deadlock."""
    return isinstance(error, DBAPIError) and (is_lost_race(error) or sqlstate(error) == UNIQUE_VIOLATION)


def broke_a_rule(error: Exception, rule: str | None = None) -> bool:
    """Whether the database refused a write for an integrity rule (``rule``: that constraint or index, by name):
    a concurrent request wrote the rows first."""
    return isinstance(error, IntegrityError) and (rule is None or rule in str(error.orig))


class UnitOfWork(SqlUnitOfWork):
    """A request's transaction (or, ``joined``, a consumer's event inside the runner's batch transaction)."""

    source = sources.ENROLLMENT

    def attach(self, session: AsyncSession) -> None:
        self.repo = Repository(session)
        self.bulk = BulkStore(session)

    async def read_one_snapshot(self) -> None:
        """From here to the commit every read sees the same snapshot (REPEATABLE READ); call first."""
        await self.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


@asynccontextmanager
async def own_unit_of_work(context: ServiceContext) -> AsyncIterator[UnitOfWork]:
    """A unit of work on a session of its own, outside any request's (a bulk batch commits chunk by chunk)."""
    async with context.session_factory() as session, UnitOfWork(session, relay=context.relay) as uow:
        yield uow
