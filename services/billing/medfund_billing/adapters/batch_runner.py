"""Runs uploaded batches in the background, one task per batch, and resumes unfinished ones at start."""

from __future__ import annotations

import asyncio

import structlog
from sqlalchemy import select

from medfund_billing.adapters.tables import batches
from medfund_billing.app.batches import PROCESSING, process_batch
from medfund_billing.config import BillingSettings
from medfund_shared.context import ServiceContext

log = structlog.get_logger(__name__)


class BatchRunner:
    def __init__(self, context: ServiceContext, settings: BillingSettings) -> None:
        self._context, self._settings = context, settings
        self._tasks: dict[str, asyncio.Task] = {}

    def start(self, batch_id: str) -> None:
        if batch_id in self._tasks:
            return
        task = asyncio.create_task(self._run(batch_id))
        self._tasks[batch_id] = task
        task.add_done_callback(lambda _: self._tasks.pop(batch_id, None))

    async def _run(self, batch_id: str) -> None:
        try:
            await process_batch(batch_id, self._context.session_factory, self._context.extras["catalogue"],
                                self._settings.office_zone, self._settings.batch_chunk_lines)
            self._context.relay.notify()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("batch_failed", batch_id=batch_id)

    async def resume_unfinished(self) -> None:
        """Batches left processing by a stopped process carry on from their last committed chunk."""
        async with self._context.session_factory() as session:
            pending = (await session.scalars(select(batches.c.batch_id).where(batches.c.status == PROCESSING))).all()
        for batch_id in pending:
            self.start(batch_id)

    async def stop(self) -> None:
        for task in list(self._tasks.values()):
            task.cancel()
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)
