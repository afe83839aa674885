"""Who is working on a bulk batch: the process holding the batch's advisory lock.

The lock is held on a connection of its own for as long as the upload is processed, so it goes away
with the process, however that ends. A ``processing`` batch whose lock anyone can take has no owner
left: it was interrupted.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from medfund_enrollment.adapters.tables import batches

LOCK_CLASS = 7_310_101
"""First key of the two-key advisory locks on batches (the second is a hash of the batch id)."""


def _key(batch_id):
    return LOCK_CLASS, func.hashtext(batch_id)


@asynccontextmanager
async def owning(engine: AsyncEngine, batch_id: str) -> AsyncIterator[None]:
    """Hold the batch's lock while the body runs."""
    async with engine.connect() as connection:
        await connection.execute(select(func.pg_advisory_lock(*_key(batch_id))))
        await connection.commit()
        try:
            yield
        finally:
            await connection.execute(select(func.pg_advisory_unlock(*_key(batch_id))))
            await connection.commit()


async def mark_orphans_interrupted(session: AsyncSession) -> int:
    """``processing`` batches nobody owns become ``interrupted``; how many."""
    result = await session.execute(
        update(batches).where(batches.c.status == "processing",
                              func.pg_try_advisory_xact_lock(*_key(batches.c.batch_id)))
        .values(status="interrupted", finished_at=func.now()))
    return result.rowcount
