"""The alert evaluator: drains the events the consumer queued, one transaction per slice of the queue.

It runs after every batch (the consumer's hook) and on a timer (a background job), so queued work
left by a crash is picked up without waiting for the next event. Taking the events off the queue,
evaluating them and publishing the alert changes commit together.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import structlog

from medfund_ledger.adapters.config import load_config
from medfund_ledger.adapters.uow import SessionFactory, opened_unit_of_work
from medfund_ledger.app.evaluate_warnings import evaluate
from medfund_shared.context import ServiceContext
from medfund_shared.events.envelope import CloudEvent
from medfund_shared.tracing import job_scope

log = structlog.get_logger(__name__)


async def drain(sessions: SessionFactory) -> int:
    """Evaluate queued events until the queue is empty, a unit of work per slice; returns how many were evaluated."""
    evaluated, limit = 0, load_config().evaluation_batch_size
    while True:
        with job_scope():
            async with opened_unit_of_work(sessions, evaluation=evaluate) as uow, uow:
                await uow.warnings.become_evaluator()
                queued = await uow.warnings.take_queued(limit)
                if not queued:
                    return evaluated
                await uow.evaluate(await uow.warnings.touched_by(queued))
                await uow.commit()
        evaluated += len(queued)


async def after_batch(sessions: SessionFactory, events: list[CloudEvent]) -> None:
    """The consumer's on_batch_applied hook.

    The batch has committed and its events are queued, so a failure here loses nothing: it is
    logged rather than raised, which would restart the consumer; the timer retries the queue.
    """
    try:
        await drain(sessions)
    except Exception as exc:
        log.warning("alert_evaluation_deferred", events=len(events), error=repr(exc))


HEALTH = "evaluation_health"
"""Key of the :class:`EvaluationHealth` in the service context's extras."""


@dataclass
class EvaluationHealth:
    """Consecutive failures of the timer's drains (a failing batch hook leaves its events queued for the timer)."""

    failures: int = 0
    last_error: str = ""

    def failed(self, exc: Exception) -> None:
        self.failures, self.last_error = self.failures + 1, repr(exc)

    def succeeded(self) -> None:
        self.failures, self.last_error = 0, ""


def readiness(context: ServiceContext) -> str | None:
    """Not ready once the evaluation failed ``evaluation_unready_after`` times in a row: alerts are not current."""
    health: EvaluationHealth | None = context.extras.get(HEALTH)
    if health is None or health.failures < load_config().evaluation_unready_after:
        return None
    return f"{health.failures} consecutive failures, last: {health.last_error}"


async def run(context: ServiceContext) -> None:
    """Background job: drain at start-up, then every ``evaluation_poll_seconds``; counts failures in a row."""
    health = context.extras.setdefault(HEALTH, EvaluationHealth())
    while True:
        try:
            if await drain(context.session_factory):
                context.relay.notify()
            health.succeeded()
        except Exception as exc:
            health.failed(exc)
            log.warning("alert_evaluation_retry", error=repr(exc), consecutive_failures=health.failures)
        await asyncio.sleep(load_config().evaluation_poll_seconds)
