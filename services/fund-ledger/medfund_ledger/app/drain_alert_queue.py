"""The alert evaluator: drains the events the consumer queued.

It runs inside every batch's transaction (the consumer's in-batch hook), so an alert commits with the
projection of its event and the consumer's offsets and is published as soon as the batch commits:
settlement → alert is the projection lag only. A timer (a background job) drains, one transaction per
slice, whatever an evaluation that failed left queued. Taking the events off the queue, evaluating them
and publishing the alert changes commit together.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import structlog

from medfund_ledger.adapters.config import load_config
from medfund_ledger.adapters.uow import (
    BatchSession,
    LedgerUnitOfWork,
    SessionFactory,
    batch_unit_of_work,
    opened_unit_of_work,
)
from medfund_ledger.app.evaluate_warnings import evaluate
from medfund_shared.context import ServiceContext
from medfund_shared.errors import is_transient
from medfund_shared.events.envelope import CloudEvent
from medfund_shared.tracing import job_scope

log = structlog.get_logger(__name__)


async def drain(sessions: SessionFactory) -> int:
    """Evaluate queued events until the queue is empty, a unit of work per slice; returns how many were evaluated."""
    evaluated = 0
    while True:
        with job_scope():
            async with opened_unit_of_work(sessions, evaluation=evaluate) as uow, uow:
                taken = await _evaluate_slice(uow)
                if not taken:
                    return evaluated
                await uow.commit()
        evaluated += taken


async def within_batch(session: BatchSession, events: list[CloudEvent]) -> None:
    """The consumer's in-batch hook: the whole queue (the batch's events and any left over) evaluated in the
    batch's transaction, in a SAVEPOINT.

    An evaluation that fails for good is undone to its SAVEPOINT and logged: the batch still commits with
    its events queued, and the timer retries them. A transient failure (a deadlock, a lost connection)
    fails the batch, which the consumer retries whole.
    """
    try:
        async with batch_unit_of_work(session, evaluation=evaluate) as uow, uow:
            while await _evaluate_slice(uow):
                pass
            await uow.commit()
    except Exception as exc:
        if is_transient(exc):
            raise
        log.warning("alert_evaluation_deferred", events=len(events), error=repr(exc))


async def _evaluate_slice(uow: LedgerUnitOfWork) -> int:
    """Take the oldest slice of the queue and evaluate what it touched (uncommitted); returns its size."""
    await uow.warnings.become_evaluator()
    queued = await uow.warnings.take_queued(load_config().evaluation_batch_size)
    if queued:
        await uow.evaluate(await uow.warnings.touched_by(queued))
    return len(queued)


HEALTH = "evaluation_health"
"""Key of the :class:`EvaluationHealth` in the service context's extras."""


@dataclass
class EvaluationHealth:
    """Consecutive failures of the timer's drains (a failed in-batch evaluation leaves its events to the timer)."""

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
