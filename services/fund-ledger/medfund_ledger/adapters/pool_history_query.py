"""A pool's monthly income and expenditure (the ``pool_months`` projection), oldest month first."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_ledger.adapters.tables import pool_months


async def months(session: AsyncSession, pool_id: str) -> list[tuple[str, int, int]]:
    """(YYYY-MM, income fen, expenditure fen) of each month the pool has entries in."""
    rows = await session.execute(select(pool_months.c.month, pool_months.c.income, pool_months.c.expenditure)
                                 .where(pool_months.c.pool_id == pool_id).order_by(pool_months.c.month))
    return [(month, int(income), int(expenditure)) for month, income, expenditure in rows]
