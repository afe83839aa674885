"""Use case: evaluate the warning rules on the subjects a batch (or a command) touched.

"Now" is the business time of the latest event applied to the subject's region (its clock), never
the wall clock; a subject whose region has no clock yet is not evaluated. Every evaluation stores
the current measure and time of each open alert; only changes of state or severity are published.
"""

from __future__ import annotations

from datetime import datetime

from medfund_ledger.adapters.figures import Touched
from medfund_ledger.adapters.warnings_repository import WarningsRepository
from medfund_ledger.domain import warnings
from medfund_ledger.domain.alerts import OpenAlert, transition
from medfund_ledger.domain.pools import PoolKey
from medfund_ledger.domain.thresholds import Thresholds
from medfund_ledger.domain.warnings import Measurement
from medfund_shared.events.types.alerts import AlertChanged
from medfund_shared.money import Money


def alert_keys(touched: Touched) -> list[tuple[str, str]]:
    """Every (rule, subject_id) an evaluation of ``touched`` may write."""
    keys = [(rule, pool_id) for pool_id in touched.pools for rule in warnings.POOL_RULES]
    keys += [("institution_budget", code) for code, _year in touched.institutions]
    keys += [("large_claim", setl_id) for _event_id, setl_id, _pool_id, _paid in touched.settlements]
    return keys


async def evaluate(warnings_repository: WarningsRepository, touched: Touched) -> list[AlertChanged]:
    """Apply every alert transition the touched subjects call for, in the caller's unit of work (it commits).

    The subjects are locked first, so the figures read afterwards include whatever a concurrent
    evaluation of the same subject committed before us. Their open alerts are read in one query
    and thresholds once per pool: a batch of settlements costs a handful of queries, not two each.
    """
    keys = alert_keys(touched)
    await warnings_repository.lock_subjects(keys)
    evaluation = _Evaluation(warnings_repository, await warnings_repository.open_alerts(keys))
    changed: list[AlertChanged] = []
    for pool_id, evidence in sorted(touched.pools.items()):
        now = await evaluation.now(PoolKey.parse(pool_id).admdvs)
        if now is None:
            continue
        snapshot = await warnings_repository.pool_snapshot(pool_id, now)
        for measurement in warnings.pool_measurements(snapshot, await evaluation.thresholds(pool_id)):
            changed += await evaluation.transition(measurement, evidence, now)
    defaults = await evaluation.thresholds(None)
    for (code, year), evidence in latest_years(touched.institutions):
        region = await warnings_repository.institution_region(code)
        now = await evaluation.now(region) if region else None
        if now is None:
            continue
        paid, budget = await warnings_repository.institution_figures(code, year)
        measurement = warnings.institution_budget(code, paid, budget, defaults["institution_budget"], year)
        changed += await evaluation.transition(measurement, evidence, now)
    for event_id, setl_id, pool_id, paid in touched.settlements:
        now = await evaluation.now(PoolKey.parse(pool_id).admdvs)
        if now is None:
            continue
        limits = (await evaluation.thresholds(pool_id))["large_claim"]
        changed += await evaluation.transition(warnings.large_claim(setl_id, Money(paid), limits), [event_id], now)
    return changed


def latest_years(institutions: dict[tuple[str, int], list[str]]) -> list[tuple[tuple[str, int], list[str]]]:
    """Per institution, the latest year touched (with its evidence): an institution has one budget alert,
    about the year it is being paid in, so an earlier year's late settlement does not flip it back."""
    latest: dict[str, int] = {}
    for code, year in institutions:
        latest[code] = max(latest.get(code, year), year)
    return [((code, year), institutions[(code, year)]) for code, year in sorted(latest.items())]


class _Evaluation:
    """One evaluation's open alerts (kept current as it changes them), and the clocks and thresholds it read."""

    def __init__(self, repository: WarningsRepository, open_alerts: dict[tuple[str, str], OpenAlert]) -> None:
        self._repository, self._open = repository, open_alerts
        self._thresholds: dict[str | None, Thresholds] = {}
        self._clocks: dict[str, datetime | None] = {}

    async def now(self, admdvs: str) -> datetime | None:
        if admdvs not in self._clocks:
            self._clocks[admdvs] = await self._repository.business_now(admdvs)
        return self._clocks[admdvs]

    async def thresholds(self, pool_id: str | None) -> Thresholds:
        if pool_id not in self._thresholds:
            self._thresholds[pool_id] = await self._repository.thresholds_for(pool_id)
        return self._thresholds[pool_id]

    async def transition(self, measurement: Measurement, evidence: list[str], now: datetime) -> list[AlertChanged]:
        key = (measurement.rule, measurement.subject_id)
        change = transition(self._open.get(key), measurement)
        if change is None:
            return []
        event = await self._repository.apply_alert(change, evidence, now)
        if event is None:
            return []
        if change.state == "resolved":
            self._open.pop(key, None)
        else:
            self._open[key] = OpenAlert(event.alert_id, change.severity, change.state)
        return [event]
