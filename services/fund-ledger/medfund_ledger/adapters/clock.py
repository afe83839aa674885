"""Each region's "now": the latest business time of an entry booked on one of its pools, never the wall clock.

Only money events move a clock, and only the clocks of the regions whose pools their entry touches:
registrations, coverage changes and population figures may carry the time they were recorded,
which says nothing about how far a fund's year has run; and a date taken from the wall clock for an
act that happens now (a registration without a date) moves its own region's clock, never another's.
A clock never goes back.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_ledger.adapters.tables import region_clocks
from medfund_shared import bulk

CLOCK_COLUMNS = {"admdvs": bulk.TEXT, "business_time": bulk.TIMESTAMPTZ}
ADVANCE = bulk.statement(
    "INSERT INTO region_clocks AS c (admdvs, business_time) SELECT * FROM unnest(:admdvs, :business_time) "
    "ON CONFLICT (admdvs) DO UPDATE SET business_time = greatest(c.business_time, excluded.business_time)",
    CLOCK_COLUMNS)


async def advance(session: AsyncSession, business_times: dict[str, datetime]) -> None:
    """Move each region's clock to its time unless it is further already (regions in key order: lock order)."""
    if business_times:
        await bulk.execute(session, ADVANCE, sorted(business_times.items()), tuple(CLOCK_COLUMNS))


async def now(session: AsyncSession, admdvs: str) -> datetime | None:
    return await session.scalar(select(region_clocks.c.business_time).where(region_clocks.c.admdvs == admdvs))
