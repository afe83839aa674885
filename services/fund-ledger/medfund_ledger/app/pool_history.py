"""Use case: a pool's months (income, expenditure, closing balance) for its charts."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from medfund_ledger.adapters import figures, pool_history_query
from medfund_ledger.app.pool_view import PoolNotFound
from medfund_ledger.domain.pool_history import PoolMonth, month_series
from medfund_ledger.domain.pools import PoolFigures


async def pool_months(session: AsyncSession, pool_id: str) -> list[PoolMonth]:
    if await figures.pool_row(session, pool_id) is None:
        raise PoolNotFound(pool_id)
    opening = PoolFigures.from_balances(await figures.balances(session, pool_id)).brought_forward
    return month_series(await pool_history_query.months(session, pool_id), opening.fen)
