"""The fund ledger's unit of work: the shared one with the ledger's repository, its alert evaluation and its read
repositories (``pools``, ``evidence``, ``institutions``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from medfund_ledger.adapters.figures import Touched
from medfund_ledger.adapters.ledger_repository import LedgerRepository
from medfund_ledger.adapters.read_repositories import EvidenceReads, InstitutionReads, PoolReads
from medfund_ledger.adapters.warnings_repository import WarningsRepository
from medfund_shared.events import sources
from medfund_shared.idempotency import DEFAULT_WAIT_SECONDS
from medfund_shared.outbox import OutboxRelay
from medfund_shared.unit_of_work import SqlUnitOfWork

Evaluation = Callable[[WarningsRepository, Touched], Awaitable[Any]]
"""``app.evaluate_warnings.evaluate``: given by the composition (an adapter does not import the app layer)."""
SessionFactory = async_sessionmaker[AsyncSession]
"""Where a background job (the alert evaluator) opens its units of work."""
BatchSession = AsyncSession
"""The consumer's session, in its batch transaction (the in-batch alert evaluation joins it)."""


class LedgerUnitOfWork(SqlUnitOfWork):
    source = sources.FUND_LEDGER

    def __init__(self, session: AsyncSession, *, evaluation: Evaluation, relay: OutboxRelay | None = None,
                 joined: bool = False, idempotency_wait_seconds: float = DEFAULT_WAIT_SECONDS) -> None:
        self._evaluation = evaluation
        super().__init__(session, relay=relay, joined=joined, idempotency_wait_seconds=idempotency_wait_seconds)

    def attach(self, session: AsyncSession) -> None:
        self.ledger = LedgerRepository(session)
        self.warnings = WarningsRepository(session)
        self.pools = PoolReads(session)
        self.evidence = EvidenceReads(session)
        self.institutions = InstitutionReads(session)

    async def evaluate(self, touched: Touched) -> None:
        """Re-evaluate the warning rules on what the command (or a slice of the queue) changed, in its transaction."""
        await self._evaluation(self.warnings, touched)


@asynccontextmanager
async def opened_unit_of_work(sessions: SessionFactory, *, evaluation: Evaluation) -> AsyncIterator[LedgerUnitOfWork]:
    """A unit of work on a session of its own, closed afterwards (for a job that no request hands a session)."""
    async with sessions() as session:
        yield LedgerUnitOfWork(session, evaluation=evaluation)


@asynccontextmanager
async def batch_unit_of_work(session: AsyncSession, *, evaluation: Evaluation) -> AsyncIterator[LedgerUnitOfWork]:
    """A unit of work inside the consumer's batch transaction, in a SAVEPOINT: its commit only flushes (the batch
    commits it, with the projection and the offsets), and an error undoes what it wrote and nothing of the batch."""
    async with session.begin_nested():
        yield LedgerUnitOfWork(session, evaluation=evaluation, joined=True)
