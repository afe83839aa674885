"""The alert evaluator: drains the events the consumer queued, one transaction per slice of the queue.

It runs after every batch (the consumer's hook) and on a timer (a background job), so queued work
left by a crash is picked up without waiting for the next event. Taking the events off the queue,
evaluating them and publishing the alert changes commit together.
"""

from __future__ import annotations

import asyncio

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from medfund_ledger.adapters import evaluation_queue, figures
from medfund_ledger.adapters.config import load_config
from medfund_ledger.app.evaluate import evaluate
from medfund_shared.context import ServiceContext
from medfund_shared.events.envelope import CloudEvent

log = structlog.get_logger(__name__)


async def drain(sessions: async_sessionmaker[AsyncSession]) -> int:
    """Evaluate queued events until the queue is empty; returns how many were evaluated."""
    evaluated, limit = 0, load_config().evaluation_batch_size
    while True:
        async with sessions() as session, session.begin():
            await evaluation_queue.become_evaluator(session)
            queued = await evaluation_queue.take(session, limit)
            if not queued:
                return evaluated
            await evaluate(session, await figures.touched_by(session, queued))
        evaluated += len(queued)


async def after_batch(sessions: async_sessionmaker[AsyncSession], events: list[CloudEvent]) -> None:
    """The consumer's on_batch_applied hook.

    The batch has committed and its events are queued, so a failure here loses nothing: it is
    logged rather than raised, which would restart the consumer; the timer retries the queue.
    """
    try:
        await drain(sessions)
    except Exception as exc:
        log.warning("alert_evaluation_deferred", events=len(events), error=repr(exc))


async def run(context: ServiceContext) -> None:
    """Background job: drain at start-up, then every ``evaluation_poll_seconds``."""
    while True:
        try:
            if await drain(context.session_factory):
                context.relay.notify()
        except Exception as exc:
            log.warning("alert_evaluation_retry", error=repr(exc))
        await asyncio.sleep(load_config().evaluation_poll_seconds)
