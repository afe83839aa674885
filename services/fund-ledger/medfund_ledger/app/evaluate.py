"""Use case: evaluate the warning rules on the subjects a batch (or a command) touched.

"Now" is the business time of the latest applied event (the ledger clock), never the wall clock.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from medfund_ledger.adapters import alert_store, figures
from medfund_ledger.adapters.figures import Touched
from medfund_ledger.domain import warnings
from medfund_ledger.domain.alerts import transition
from medfund_shared.events.types.alerts import AlertChanged
from medfund_shared.money import Money


def alert_keys(touched: Touched) -> list[tuple[str, str]]:
    """Every (rule, subject_id) an evaluation of ``touched`` may write."""
    keys = [(rule, pool_id) for pool_id in touched.pools for rule in warnings.POOL_RULES]
    keys += [("institution_budget", code) for code, _year in touched.institutions]
    keys += [("large_claim", setl_id) for _event_id, setl_id, _pool_id, _paid in touched.settlements]
    return keys


async def evaluate(session: AsyncSession, touched: Touched) -> list[AlertChanged]:
    """Apply every alert transition the touched subjects call for; the caller commits.

    The subjects are locked first, so the figures read afterwards include whatever a concurrent
    evaluation of the same subject committed before us.
    """
    await alert_store.lock_subjects(session, alert_keys(touched))
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
