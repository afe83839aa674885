"""Use case: a pool's months (income, expenditure, closing balance) for its charts."""

from __future__ import annotations

from medfund_ledger.adapters.uow import LedgerUnitOfWork
from medfund_ledger.app.pool_view import PoolNotFound, PoolQuery
from medfund_ledger.domain.pool_history import PoolMonth, month_series
from medfund_ledger.domain.pools import PoolFigures


async def pool_months(query: PoolQuery, uow: LedgerUnitOfWork) -> list[PoolMonth]:
    async with uow:
        if await uow.pools.row(query.pool_id) is None:
            raise PoolNotFound(query.pool_id)
        opening = PoolFigures.from_balances(await uow.pools.balances(query.pool_id)).brought_forward
        return month_series(await uow.pools.months(query.pool_id), opening.fen)
