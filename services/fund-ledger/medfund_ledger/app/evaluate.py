"""Use case: evaluate the warning rules on the subjects a batch (or a command) touched.

"Now" is the business time of the latest applied event (the ledger clock), never the wall clock.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from medfund_ledger.adapters import alert_store, figures
from medfund_ledger.adapters.figures import Touched
from medfund_ledger.domain import warnings
from medfund_ledger.domain.alerts import OpenAlert, transition
from medfund_ledger.domain.thresholds import Thresholds
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
    evaluation of the same subject committed before us. Their open alerts are read in one query
    and thresholds once per pool: a batch of settlements costs a handful of queries, not two each.
    """
    keys = alert_keys(touched)
    await alert_store.lock_subjects(session, keys)
    now = await figures.business_now(session)
    if now is None:
        return []
    evaluation = _Evaluation(session, now, await alert_store.open_alerts(session, keys))
    changed: list[AlertChanged] = []
    for pool_id, evidence in sorted(touched.pools.items()):
        snapshot = await figures.pool_snapshot(session, pool_id, now)
        for measurement in warnings.pool_measurements(snapshot, await evaluation.thresholds(pool_id)):
            changed += await evaluation.transition(measurement, evidence)
    defaults = await evaluation.thresholds(None)
    for (code, year), evidence in sorted(touched.institutions.items()):
        paid, budget = await figures.institution_figures(session, code, year)
        measurement = warnings.institution_budget(code, paid, budget, defaults["institution_budget"])
        if measurement is not None:
            changed += await evaluation.transition(measurement, evidence)
    for event_id, setl_id, pool_id, paid in touched.settlements:
        limits = (await evaluation.thresholds(pool_id))["large_claim"]
        changed += await evaluation.transition(warnings.large_claim(setl_id, Money(paid), limits), [event_id])
    return changed


class _Evaluation:
    """One evaluation's open alerts (kept current as it changes them) and the thresholds it read."""

    def __init__(self, session: AsyncSession, now: datetime, open_alerts: dict[tuple[str, str], OpenAlert]) -> None:
        self._session, self._now, self._open = session, now, open_alerts
        self._thresholds: dict[str | None, Thresholds] = {}

    async def thresholds(self, pool_id: str | None) -> Thresholds:
        if pool_id not in self._thresholds:
            self._thresholds[pool_id] = await figures.thresholds_for(self._session, pool_id)
        return self._thresholds[pool_id]

    async def transition(self, measurement, evidence: list[str]) -> list[AlertChanged]:
        key = (measurement.rule, measurement.subject_id)
        change = transition(self._open.get(key), measurement)
        if change is None:
            return []
        event = await alert_store.apply(self._session, change, evidence, self._now)
        if change.state == "resolved":
            self._open.pop(key, None)
        else:
            self._open[key] = OpenAlert(event.alert_id, change.severity, change.state)
        return [event]
