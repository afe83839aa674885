"""A bulk batch's lease (``medfund_shared.batch_ownership``) as the batch use cases see it: claim, fence, release."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from medfund_enrollment.adapters.tables import batches
from medfund_enrollment.adapters.uow import UnitOfWork
from medfund_shared.batch_ownership import Ownership, SqlLeases

PROCESSING = "processing"


def enrollment_leases(sessions: async_sessionmaker[AsyncSession], lease_seconds: float) -> SqlLeases:
    return SqlLeases(batches, batches.c.batch_id, batches.c.status == PROCESSING, sessions,
                     timedelta(seconds=lease_seconds))


@dataclass(frozen=True)
class BatchLease:
    leases: SqlLeases
    ownership: Ownership

    @property
    def batch_id(self) -> str:
        return self.ownership.batch_id

    async def claim(self, uow: UnitOfWork) -> bool:
        return await self.leases.claim(uow.session, self.batch_id, self.ownership.owner)

    async def fence(self, uow: UnitOfWork) -> None:
        """First write of a chunk's transaction: ``LeaseLost`` if another instance owns the batch now."""
        await self.leases.fence(uow.session, self.batch_id, self.ownership.owner)

    async def release(self, uow: UnitOfWork, status: str) -> None:
        await self.leases.release(uow.session, self.batch_id, self.ownership.owner, status=status,
                                  finished_at=func.now())
