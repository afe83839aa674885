"""Route dependencies: the unit of work of a command or of a read, the ``as_of`` business date of a read."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from medfund_ledger.adapters.uow import LedgerUnitOfWork
from medfund_ledger.app.evaluate_warnings import evaluate
from medfund_shared.business_range import BusinessDate
from medfund_shared.context import ContextDep, SessionDep


async def get_uow(session: SessionDep, context: ContextDep) -> LedgerUnitOfWork:
    """On the request's session (the route reads its answer from it after the commit); the commit wakes the relay."""
    return LedgerUnitOfWork(session, evaluation=evaluate, relay=context.relay,
                            idempotency_wait_seconds=context.settings.idempotency_wait_seconds)


UowDep = Annotated[LedgerUnitOfWork, Depends(get_uow)]


def read_uow(session) -> LedgerUnitOfWork:
    """A unit of work on ``session`` (an ``AsyncSession``) a read use case only reads through: it commits nothing,
    so it wakes no relay."""
    return LedgerUnitOfWork(session, evaluation=evaluate)


async def get_read_uow(session: SessionDep) -> LedgerUnitOfWork:
    return read_uow(session)


ReadUowDep = Annotated[LedgerUnitOfWork, Depends(get_read_uow)]

AsOf = Annotated[BusinessDate | None, Query(description=(
    "a business date (YYYY-MM-DD, years 1990-2100): the answer as it stood at the end of that day, China time, "
    "from the dated journal and alert history; omitted: now (each region's business clock)"))]
