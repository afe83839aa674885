"""The ledger's "now": the latest business time of a booked entry, never the wall clock.

Only money events move it: registrations, coverage changes and population figures may carry
the time they were recorded, which says nothing about how far the fund's year has run.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_ledger.adapters.tables import ledger_clock


async def advance(session: AsyncSession, business_time: datetime) -> None:
    """Move the clock to ``business_time`` unless it is further already."""
    stmt = pg_insert(ledger_clock).values(id=1, business_time=business_time)
    await session.execute(stmt.on_conflict_do_update(
        index_elements=["id"], set_={"business_time": func.greatest(ledger_clock.c.business_time,
                                                                      stmt.excluded.business_time)}))
