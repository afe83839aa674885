"""Use case: evaluate the warning rules on the subjects a batch (or a command) touched.

"Now" is the business time of the latest applied event (the ledger clock), never the wall clock.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from medfund_ledger.adapters import alert_store, figures
from medfund_ledger.adapters.figures import Touched
from medfund_ledger.domain import warnings
from medfund_ledger.domain.alerts import transition
from medfund_shared.events.envelope import CloudEvent
from medfund_shared.events.types.alerts import AlertChanged
from medfund_shared.money import Money


async def evaluate(session: AsyncSession, touched: Touched) -> list[AlertChanged]:
    """Apply every alert transition the touched subjects call for; the caller commits."""
    now = await figures.business_now(session)
    if now is None:
        return []
    changed: list[AlertChanged] = []
    for pool_id, evidence in sorted(touched.pools.items()):
        snapshot = await figures.pool_snapshot(session, pool_id, now)
        thresholds = await figures.thresholds_for(session, pool_id)
        for measurement in warnings.pool_measurements(snapshot, thresholds):
            changed += await _transition(session, measurement, evidence, now)
    defaults = await figures.thresholds_for(session, None)
    for (code, year), evidence in sorted(touched.institutions.items()):
        paid, budget = await figures.institution_figures(session, code, year)
        measurement = warnings.institution_budget(code, paid, budget, defaults["institution_budget"])
        if measurement is not None:
            changed += await _transition(session, measurement, evidence, now)
    for event_id, setl_id, pool_id, paid in touched.settlements:
        thresholds = await figures.thresholds_for(session, pool_id)
        measurement = warnings.large_claim(setl_id, Money(paid), thresholds["large_claim"])
        changed += await _transition(session, measurement, [event_id], now)
    return changed


async def _transition(session, measurement, evidence, now) -> list[AlertChanged]:
    change = transition(await alert_store.open_alert(session, measurement.rule, measurement.subject_id), measurement)
    return [] if change is None else [await alert_store.apply(session, change, evidence, now)]


async def evaluate_batch(sessions: async_sessionmaker[AsyncSession], events: list[CloudEvent]) -> None:
    """The consumer's on_batch_applied hook: one transaction for the batch's alerts."""
    async with sessions() as session, session.begin():
        await evaluate(session, await figures.touched_by(session, [e.id for e in events]))
