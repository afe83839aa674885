"""The leases of enrollment's bulk batches (``medfund_shared.batch_ownership``); a batch's use cases hold it as a
``HeldBatch``."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from medfund_enrollment.adapters.tables import batches
from medfund_shared.batch_ownership import SqlLeases

PROCESSING = "processing"


def enrollment_leases(sessions: async_sessionmaker[AsyncSession], lease_seconds: float) -> SqlLeases:
    return SqlLeases(batches, batches.c.batch_id, batches.c.status == PROCESSING, sessions,
                     timedelta(seconds=lease_seconds))
