"""The queue of applied events whose alerts are still to be evaluated.

Handlers add to it inside the consumer's batch transaction, so the work survives a crash between
the batch and its evaluation. One evaluator at a time drains it (a transaction-level advisory lock).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_ledger.adapters.tables import pending_evaluations
from medfund_shared import bulk

EVALUATOR_LOCK_KEY = 7_310_004
"""Advisory lock id (per database); the outbox relay and migrations use 7_310_001/2."""
ADD_MANY = bulk.statement("INSERT INTO pending_evaluations (event_id) SELECT unnest(:event_id) "
                          "ON CONFLICT (event_id) DO NOTHING", {"event_id": bulk.TEXT})


async def add(session: AsyncSession, event_id: str, fixmedins_code: str | None = None) -> None:
    await session.execute(pg_insert(pending_evaluations).values(event_id=event_id, fixmedins_code=fixmedins_code)
                          .on_conflict_do_nothing(index_elements=["event_id"]))


async def add_many(session: AsyncSession, event_ids: Sequence[str]) -> None:
    """Money events of a batch, in one statement (they change no registered budget)."""
    if event_ids:
        await bulk.execute(session, ADD_MANY, [(event_id,) for event_id in event_ids], ("event_id",))


async def become_evaluator(session: AsyncSession) -> None:
    """Wait until no other evaluator runs; held until the transaction ends."""
    await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": EVALUATOR_LOCK_KEY})


async def take(session: AsyncSession, limit: int) -> list[tuple[str, str | None]]:
    """The oldest queued (event id, fixmedins_code); they leave the queue when the caller's transaction commits."""
    queue = pending_evaluations.c
    rows = [(row.event_id, row.fixmedins_code) for row in await session.execute(
        select(queue.event_id, queue.fixmedins_code).order_by(queue.queued_at, queue.event_id).limit(limit))]
    if rows:
        taken = bulk.any_of([event_id for event_id, _ in rows], bulk.TEXT)
        await session.execute(delete(pending_evaluations).where(queue.event_id == taken))
    return rows
